import { isoNow } from "../../internal/clock.ts";
import { newId, type AgentMessage, type Usage } from "../../core/messages.ts";

type Distribute<T> = T extends AgentMessage ? Omit<T, "id" | "createdAt" | "source"> : never;

/** Stamps a message with an id, its source and the time. */
export function makeMessage<Body extends Distribute<AgentMessage>>(
  source: string,
  body: Body,
  usage?: Usage,
): Body & { id: string; source: string; createdAt: string } {
  return {
    id: newId("msg"),
    source,
    createdAt: isoNow(),
    ...body,
    ...(usage === undefined ? {} : { usage }),
  };
}
