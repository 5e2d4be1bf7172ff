// The document index as an agent's memory: for each turn it finds the documents the user's last
// message is about and adds them to that turn's model request, as one system message. The index is
// shared by every conversation; nothing of it is stored in a session's context.
import {
  UserError,
  type Memory,
  type MemoryContent,
  type MemoryOptions,
  type MemoryQueryResult,
  type ModelMessage,
  type UpdateContextInput,
  type UpdateContextResult,
} from "hearth";
import type { DocumentIndex, SearchOptions } from "./document-index.ts";

export interface DocumentMemoryOptions {
  readonly name: string;
  readonly index: DocumentIndex;
  /** How many documents, and how close, a turn is given. */
  readonly search?: SearchOptions;
}

export class DocumentMemory implements Memory {
  readonly name: string;
  readonly index: DocumentIndex;
  readonly #search: SearchOptions;

  constructor(options: DocumentMemoryOptions) {
    this.name = options.name;
    this.index = options.index;
    this.#search = options.search ?? { limit: 2, minScore: 0.1 };
  }

  async updateContext({ messages }: UpdateContextInput): Promise<UpdateContextResult> {
    const question = lastUserText(messages);
    const { results } = await this.query(question);
    if (results.length === 0) return { messages, memories: { results } };
    const listed = results.map((item, index) => `${index + 1}. ${item.metadata?.title}: ${item.content}`);
    const note = `Relevant documents of the shop (the most relevant first):\n${listed.join("\n")}`;
    return { messages: [...messages, { role: "system", content: note }], memories: { results } };
  }

  async query(query: string | MemoryContent, options?: MemoryOptions): Promise<MemoryQueryResult> {
    if (options?.signal?.aborted === true) throw options.signal.reason;
    const text = typeof query === "string" ? query : typeof query.content === "string" ? query.content : "";
    const hits = text === "" ? [] : this.index.search(text, this.#search);
    return {
      results: hits.map(({ document, score }) => ({
        content: document.text,
        mimeType: "text/plain",
        metadata: { id: document.id, title: document.title, score: Math.round(score * 1000) / 1000 },
      })),
    };
  }

  /** Indexes one more document, for every conversation from the next turn on. */
  async add(content: MemoryContent): Promise<void> {
    const { id, title } = content.metadata ?? {};
    if (typeof content.content !== "string" || typeof id !== "string" || typeof title !== "string")
      throw new UserError(`Memory "${this.name}" indexes text with an id and a title in its metadata.`, {
        field: "content",
      });
    this.index.add({ id, title, text: content.content });
  }

  async clear(): Promise<void> {
    this.index.clear();
  }

  async close(): Promise<void> {}
}

/** The text of the request's last user message: what the turn is asked. */
function lastUserText(messages: readonly ModelMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index];
    if (message?.role !== "user") continue;
    if (typeof message.content === "string") return message.content;
    return message.content.map((part) => (part.type === "text" ? part.text : "")).join(" ");
  }
  return "";
}
