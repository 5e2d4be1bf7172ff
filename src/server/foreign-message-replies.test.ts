// A `foreign` message (a kind hearth does not know, as a loaded AutoGen state holds them) in each
// reply format: hearth's own stream passes it on unchanged, as it passes every message; the formats
// that render a chat for a reader (OpenAI's chat completions, the AI SDK's UI message stream) have
// nothing to show for it and send nothing.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ForeignMessage } from "../core/messages.ts";
import { UIMessageReplies } from "./ai-sdk/ui-message-stream.ts";
import { hearthReplies } from "./chat.ts";
import { CompletionReplies } from "./openai/chat-completions.ts";

const foreign: ForeignMessage = {
  id: "7a1d3c4e-0005",
  source: "assistant",
  createdAt: "2025-10-06T14:00:05.000Z",
  type: "foreign",
  format: "autogen",
  foreignType: "CodeExecutionEvent",
  data: {
    source: "assistant",
    retry_attempt: 0,
    result: { exit_code: 0, output: "1200000.0\n" },
    type: "CodeExecutionEvent",
  },
};

test("hearth's own stream sends a foreign message as a message event, unchanged", () => {
  assert.equal(hearthReplies.item(foreign), `event: message\ndata: ${JSON.stringify(foreign)}\n\n`);
});

test("the OpenAI-compatible stream and the AI SDK's UI message stream send nothing for a foreign message", () => {
  const completions = new CompletionReplies({
    model: "assistant",
    includeUsage: false,
    chat: { message: "hi", runner: "assistant", sessionId: "s", createSession: true, stream: true },
  });
  completions.start({ kind: "agent", name: "assistant" });
  assert.equal(completions.item(foreign), "");
  const ui = new UIMessageReplies();
  ui.start();
  assert.equal(ui.item(foreign), "");
});
