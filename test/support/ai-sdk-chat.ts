// The AI SDK's chat as `useChat` runs it (its AbstractChat with the default transport), without
// React: the state React would keep is kept in plain fields.
import { AbstractChat, type ChatInit, type ChatState, type ChatStatus, DefaultChatTransport, type UIMessage } from "ai";

class PlainState implements ChatState<UIMessage> {
  status: ChatStatus = "ready";
  error: Error | undefined;
  messages: UIMessage[];
  constructor(messages: UIMessage[]) {
    this.messages = messages;
  }
  pushMessage = (message: UIMessage) => {
    this.messages = [...this.messages, message];
  };
  popMessage = () => {
    this.messages = this.messages.slice(0, -1);
  };
  replaceMessage = (index: number, message: UIMessage) => {
    this.messages = this.messages.map((existing, at) => (at === index ? message : existing));
  };
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

export interface PlainChatOptions {
  /** The chat route, `${server.url}/v1/chat`. */
  readonly api: string;
  /** An API key, sent as `authorization: Bearer <key>`. */
  readonly key?: string;
  /** The transport's `body` option: `agent`, `team`, `context`. */
  readonly body?: Record<string, unknown>;
  readonly id?: string;
  /** The messages the chat starts with, as a page that restored a chat has them. */
  readonly messages?: UIMessage[];
  /** When the chat sends by itself, as `useChat`'s option (`lastAssistantMessageIsCompleteWithApprovalResponses`). */
  readonly sendAutomaticallyWhen?: ChatInit<UIMessage>["sendAutomaticallyWhen"];
  /** Called as each of the chat's requests ends, as `useChat`'s option. */
  readonly onFinish?: ChatInit<UIMessage>["onFinish"];
}

export class PlainChat extends AbstractChat<UIMessage> {
  constructor({ api, key, body, id, messages = [], sendAutomaticallyWhen, onFinish }: PlainChatOptions) {
    super({
      ...(id === undefined ? {} : { id }),
      ...(sendAutomaticallyWhen === undefined ? {} : { sendAutomaticallyWhen }),
      ...(onFinish === undefined ? {} : { onFinish }),
      state: new PlainState(messages),
      transport: new DefaultChatTransport({
        api,
        ...(key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } }),
        ...(body === undefined ? {} : { body }),
      }),
    });
  }
}

/** A message's text parts, joined. */
export const textOf = (message: UIMessage | undefined) =>
  (message?.parts ?? []).map((part) => (part.type === "text" ? part.text : "")).join("");
