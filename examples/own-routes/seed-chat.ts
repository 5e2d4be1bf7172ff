// The seed's own API, kept as its clients call it: POST /chat { message, session_id? } answers
// { reply, session_id }. Each host below routes it to this function; hearth loads, locks and stores
// the session (runtime.runTurn), exactly as its own /v1/chat does.
import { type AnyRuntime, HearthError, type SessionStore } from "hearth";

export interface SeedAnswer {
  readonly status: 200 | 400;
  readonly body: { readonly reply: string; readonly session_id: string } | { readonly error: string };
}

export async function seedChat(runtime: AnyRuntime, store: SessionStore, body: unknown): Promise<SeedAnswer> {
  const { message, session_id: sessionId } = (body ?? {}) as { message?: unknown; session_id?: unknown };
  if (typeof message !== "string" || message.trim() === "")
    return { status: 400, body: { error: "`message` must be a non-empty string." } };
  if (sessionId !== undefined && typeof sessionId !== "string")
    return { status: 400, body: { error: "`session_id` must be a string." } };
  try {
    const turn = await runtime.runTurn({
      runner: runtime.agent("support_agent"),
      store,
      tenant: "default",
      task: message,
      // The client's own conversation id: continued when known, started under that id when not.
      ...(sessionId === undefined ? {} : { sessionId, createSession: true }),
    });
    return { status: 200, body: { reply: turn.reply, session_id: turn.sessionId } };
  } catch (error) {
    if (HearthError.is(error, "HEARTH_INVALID_REQUEST")) return { status: 400, body: { error: error.message } };
    throw error;
  }
}
