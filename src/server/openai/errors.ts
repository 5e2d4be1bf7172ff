import type { HttpResponse } from "../http-types.ts";
import { problemOf } from "../problem.ts";

/** hearth's codes that OpenAI's API has its own code for; any other keeps hearth's. */
const openAICodes: Readonly<Record<string, string>> = {
  HEARTH_AGENT_UNKNOWN: "model_not_found",
  HEARTH_TEAM_UNKNOWN: "model_not_found",
  HEARTH_UNAUTHORIZED: "invalid_api_key",
  HEARTH_TENANT_LIMITED: "rate_limit_exceeded",
};

/** A problem document in OpenAI's error shape (`{ error: { message, type, param, code } }`), as its clients read it. */
export function openAIError(problem: { readonly status: number; readonly body: Record<string, unknown> }): {
  readonly error: Record<string, unknown>;
} {
  const code = String(problem.body.code);
  return {
    error: {
      message: problem.body.detail,
      type: problem.status >= 500 ? "server_error" : "invalid_request_error",
      param: problem.body.field ?? null,
      code: openAICodes[code] ?? code,
    },
  };
}

/**
 * An error as OpenAI's API answers it: its status and headers (`retry-after`) as hearth's, its body
 * OpenAI's. One that sending again will not mend says `x-should-retry: false`: OpenAI's SDKs retry
 * 408, 409, 429 and 5xx answers by themselves otherwise, and each retry would run a turn again.
 */
export function openAIErrorResponse(error: unknown, requestId?: string): HttpResponse {
  const problem = problemOf(error, requestId);
  return {
    status: problem.status,
    headers: {
      ...problem.headers,
      "content-type": "application/json; charset=utf-8",
      ...(problem.body.retryable === true ? {} : { "x-should-retry": "false" }),
    },
    body: JSON.stringify(openAIError(problem)),
  };
}
