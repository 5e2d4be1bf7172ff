/**
 * The catalogue of every error code hearth can raise. `docs/errors.md` documents each one and a test
 * keeps the two in step. The HTTP status is the one place where an error maps to a response.
 */
export const errorCatalogue = {
  HEARTH_CONFIG_INVALID: { status: 500, kind: "user", summary: "A definition or option is wrong." },
  HEARTH_SESSION_INVALID: { status: 400, kind: "user", summary: "Session JSON is malformed or of an unknown version." },
  HEARTH_ASSET_INVALID: { status: 500, kind: "user", summary: "An asset file is missing, unreadable or invalid." },
  HEARTH_CONSTRUCTION_AFTER_READY: {
    status: 500,
    kind: "user",
    summary: "A definition was built while serving, in strict mode.",
  },
  HEARTH_AGENT_UNKNOWN: { status: 404, kind: "user", summary: "No agent of that name in the app." },
  HEARTH_TEAM_UNKNOWN: { status: 404, kind: "user", summary: "No team of that name in the app." },
  HEARTH_STARTUP_FAILED: { status: 503, kind: "system", summary: "A required startup step failed." },
  HEARTH_STEP_TIMEOUT: { status: 504, kind: "system", summary: "A startup step did not finish within its timeout." },
  HEARTH_NOT_READY: { status: 503, kind: "system", summary: "The runtime has not finished starting." },
  HEARTH_RUNTIME_CLOSED: { status: 503, kind: "system", summary: "The runtime is draining or closed." },
  HEARTH_OVERLOADED: {
    status: 503,
    kind: "system",
    summary:
      "The server runs as many turns as it takes and its queue is full, or a turn waited past the queue's deadline.",
  },
  HEARTH_SESSION_NOT_FOUND: { status: 404, kind: "user", summary: "No session with that id for this tenant." },
  HEARTH_SESSION_CONFLICT: { status: 409, kind: "system", summary: "The session changed while the turn ran." },
  HEARTH_SESSION_TOO_LARGE: { status: 413, kind: "user", summary: "The session would be stored over its size limit." },
  HEARTH_UNAUTHORIZED: { status: 401, kind: "user", summary: "No API key, or an unknown one." },
  HEARTH_TENANT_LIMITED: {
    status: 429,
    kind: "user",
    summary: "The tenant reached one of its limits: requests per minute, turns in flight or tokens per day.",
  },
  HEARTH_INVALID_REQUEST: {
    status: 400,
    kind: "user",
    summary: "The request body is not JSON or has a wrong or missing field.",
  },
  HEARTH_UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: "user", summary: "The request body is not application/json." },
  HEARTH_BODY_TOO_LARGE: { status: 413, kind: "user", summary: "The request body is over the limit." },
  HEARTH_BODY_TIMEOUT: {
    status: 408,
    kind: "user",
    summary: "The request body did not arrive within the body timeout.",
  },
  HEARTH_SLOW_CLIENT: {
    status: 499,
    kind: "user",
    summary: "A streamed response was cut off: the client read it too slowly.",
  },
  HEARTH_NOT_FOUND: { status: 404, kind: "user", summary: "No such route." },
  HEARTH_METHOD_NOT_ALLOWED: { status: 405, kind: "user", summary: "The route does not take this method." },
  HEARTH_REQUEST_TIMEOUT: {
    status: 504,
    kind: "system",
    summary: "The request took longer than the server's request timeout.",
  },
  HEARTH_INTERNAL: { status: 500, kind: "system", summary: "An unexpected error; the log has the details." },
  HEARTH_STORE_UNAVAILABLE: {
    status: 503,
    kind: "system",
    summary: "The session store cannot be reached, or its file cannot be used now (locked, full, read-only).",
  },
  HEARTH_ABORTED: { status: 499, kind: "system", summary: "The caller aborted the run through its signal." },
  HEARTH_MCP_UNAVAILABLE: {
    status: 502,
    kind: "system",
    summary: "An MCP server could not be started or reached, or lost its session during a call.",
  },
  HEARTH_MEMORY_FAILED: {
    status: 502,
    kind: "system",
    summary: "An agent's memory threw, or returned what is not a model request and memory contents.",
  },
  HEARTH_MODEL_TIMEOUT: { status: 504, kind: "system", summary: "The model provider did not answer within timeoutMs." },
  HEARTH_MODEL_CONNECTION: {
    status: 502,
    kind: "system",
    summary: "DNS, refused, reset or TLS failure reaching the provider.",
  },
  HEARTH_MODEL_RATE_LIMITED: { status: 429, kind: "system", summary: "The provider answered 429." },
  HEARTH_MODEL_AUTH: { status: 502, kind: "system", summary: "The provider refused the credentials (401/403)." },
  HEARTH_MODEL_BAD_REQUEST: {
    status: 502,
    kind: "system",
    summary: "The provider rejected the request (400, 404, 422).",
  },
  HEARTH_MODEL_SERVER: {
    status: 502,
    kind: "system",
    summary: "The provider failed (5xx or another unexpected status).",
  },
  HEARTH_MODEL_INVALID_RESPONSE: { status: 502, kind: "system", summary: "The provider's answer could not be parsed." },
  HEARTH_MODEL_CONTENT_FILTER: {
    status: 422,
    kind: "user",
    summary: "The provider's content filter blocked the request, or the model refused to give the structured reply.",
  },
  HEARTH_OUTPUT_INVALID: {
    status: 502,
    kind: "system",
    summary: "A structured reply was not JSON or failed the output schema.",
  },
  HEARTH_USER_INPUT_TIMEOUT: {
    status: 504,
    kind: "system",
    summary: "A UserProxyAgent got no input within its timeout.",
  },
  HEARTH_TEAM_NO_SPEAKER: {
    status: 502,
    kind: "system",
    summary: "A SelectorGroupChat's model named no valid next speaker.",
  },
  HEARTH_TEAM_UNKNOWN_SPEAKER: {
    status: 500,
    kind: "system",
    summary: "A handoff, selectorFunc or candidateFunc named an agent that is not in the team.",
  },
  HEARTH_APPROVAL_PENDING: {
    status: 409,
    kind: "user",
    summary: "The session waits for tool-call approvals, and the run gave none.",
  },
  HEARTH_APPROVAL_INVALID: {
    status: 400,
    kind: "user",
    summary: "The approvals name a call that does not wait for one, or leave a waiting call unanswered.",
  },
  HEARTH_TOOL_UNKNOWN: { status: 200, kind: "tool", summary: "The model called a tool the agent does not have." },
  HEARTH_TOOL_INVALID_ARGUMENTS: {
    status: 200,
    kind: "tool",
    summary: "Tool arguments were not JSON or failed the schema.",
  },
  HEARTH_TOOL_FAILED: { status: 200, kind: "tool", summary: "A tool's execute threw." },
  HEARTH_TOOL_TIMEOUT: { status: 200, kind: "tool", summary: "A tool did not finish within its timeoutMs." },
  HEARTH_TOOL_REJECTED: { status: 200, kind: "tool", summary: "A person did not approve the tool call." },
} as const satisfies Record<string, { status: number; kind: "user" | "system" | "tool"; summary: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export function httpStatusOf(code: ErrorCode): number {
  return errorCatalogue[code].status;
}
