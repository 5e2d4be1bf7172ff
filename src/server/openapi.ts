/** The OpenAPI 3.1 description of hearth's HTTP API, served at GET /openapi.json. */
export function openApiDocument(appName: string): Record<string, unknown> {
  const problem = {
    description: "An RFC 9457 problem document; `code` is listed in docs/errors.md.",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
  const openAIError = {
    description:
      "OpenAI's error shape, `{ error: { message, type, param, code } }`: `code` is OpenAI's (`model_not_found`, `invalid_api_key`) or one in docs/errors.md.",
    content: { "application/json": { schema: { type: "object" } } },
  };
  const usage = {
    type: "object",
    properties: { promptTokens: { type: "integer" }, completionTokens: { type: "integer" } },
    required: ["promptTokens", "completionTokens"],
  };
  return {
    openapi: "3.1.0",
    info: { title: `${appName} (hearth)`, version: "1" },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
      schemas: {
        Problem: {
          type: "object",
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            code: { type: "string" },
            field: { type: "string" },
            callIds: {
              type: "array",
              items: { type: "string" },
              description: "The tool calls an approval error is about.",
            },
            instance: { type: "string" },
          },
          required: ["type", "title", "status", "code"],
        },
        ChatRequest: {
          type: "object",
          properties: {
            message: { type: "string", minLength: 1 },
            approvals: {
              type: "array",
              minItems: 1,
              description:
                "In place of `message`, with `sessionId`: answers to every tool call the session waits for (stop reason `tool-approval-request`).",
              items: {
                type: "object",
                properties: {
                  callId: { type: "string", minLength: 1 },
                  approved: { type: "boolean" },
                  reason: { type: "string", description: "Shown to the model when the call is not approved." },
                },
                required: ["callId", "approved"],
                additionalProperties: false,
              },
            },
            agent: { type: "string" },
            team: { type: "string" },
            sessionId: { type: "string", pattern: "^[A-Za-z0-9_-]{1,128}$" },
            createSession: {
              type: "boolean",
              description: "With `sessionId`: start the session under that id when it is unknown (otherwise 404).",
            },
            stream: { type: "boolean", description: "Or send `Accept: text/event-stream`." },
            context: {
              type: "object",
              description: "The request's context, given to the agent's tools; the app's `context.schema` checks it.",
            },
          },
          oneOf: [{ required: ["message"] }, { required: ["approvals", "sessionId"] }],
          additionalProperties: false,
        },
        ChatResponse: {
          type: "object",
          properties: {
            reply: { type: "string" },
            sessionId: { type: "string" },
            stopReason: { type: "string" },
            usage,
            messages: { type: "array", items: { type: "object" } },
            output: {},
          },
          required: ["reply", "sessionId", "stopReason", "usage", "messages"],
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/v1/chat": {
        post: {
          summary: "Send a message to an agent or a team, in a new session or a stored one.",
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/ChatRequest" } } },
          },
          responses: {
            "200": {
              description:
                "The turn's result; with streaming, server-sent events: message-delta, tool-call, tool-result, message, done, error. A body in the AI SDK's shape (`messages`, as `useChat` sends it) is answered with its UI message stream.",
              content: {
                "application/json": { schema: { $ref: "#/components/schemas/ChatResponse" } },
                "text/event-stream": { schema: { type: "string" } },
              },
            },
            "400": problem,
            "401": problem,
            "404": problem,
            "413": problem,
            "415": problem,
            "503": problem,
            "504": problem,
          },
        },
      },
      "/v1/chat/completions": {
        post: {
          summary:
            "OpenAI's Chat Completions API: `model` names an agent or team; `x-session-id` continues a session. See docs/server.md.",
          parameters: [{ name: "x-session-id", in: "header", required: false, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
          responses: {
            "200": {
              description:
                "A chat.completion; with `stream: true`, chat.completion.chunk events then [DONE]. The session's id in `x-session-id`.",
            },
            "400": openAIError,
            "401": openAIError,
            "404": openAIError,
            "503": openAIError,
          },
        },
      },
      "/v1/models": {
        get: {
          summary: "The agents and teams, as OpenAI's API lists models.",
          responses: { "200": { description: "A list of models." }, "401": openAIError },
        },
      },
      "/v1/models/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          summary: "One agent or team, as OpenAI's API describes a model.",
          responses: { "200": { description: "The model." }, "401": openAIError, "404": openAIError },
        },
      },
      "/v1/sessions/{id}": {
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          summary: "A stored session (its JSON).",
          responses: { "200": { description: "The session." }, "401": problem, "404": problem },
        },
        delete: {
          summary: "Delete a stored session.",
          responses: { "204": { description: "Deleted." }, "401": problem, "404": problem },
        },
      },
      "/v1/startup": {
        get: { summary: "The startup trace.", responses: { "200": { description: "The trace as JSON." } } },
      },
      "/healthz": {
        get: { summary: "Liveness.", security: [], responses: { "200": { description: "The process is alive." } } },
      },
      "/readyz": {
        get: {
          summary: "Readiness: 200 only when ready.",
          security: [],
          responses: { "200": { description: "Ready." }, "503": { description: "Starting, warming or draining." } },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics.",
          security: [],
          responses: { "200": { description: "Prometheus text format." } },
        },
      },
    },
  };
}
