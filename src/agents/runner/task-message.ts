import type { Task } from "../../core/images.ts";
import type { MultiModalMessage, TextMessage } from "../../core/messages.ts";
import { makeMessage } from "./make-message.ts";

/** A run's task as the user's message: text, or text and images (a MultiModalMessage). */
export function taskMessageOf(task: Task): TextMessage | MultiModalMessage {
  return typeof task === "string"
    ? makeMessage("user", { type: "text", content: task })
    : makeMessage("user", { type: "multi-modal", content: task });
}
