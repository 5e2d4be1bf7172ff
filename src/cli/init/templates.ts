// The files `hearth init` writes: a small working app to start from. `__NAME__` and
// `__HEARTH_VERSION__` are filled in; nothing else is.

export const appTs = `// The app: its FAQ loaded once at startup, its model client and agent built once, everything warm
// before the server says ready.
import { AnthropicChatCompletionClient, AssistantAgent, asset, defineApp, defineTool, OpenAIChatCompletionClient } from "hearth";

/** The FAQ's sections that share a word with the question, for the model to answer from. */
function searchFaq(faq: string) {
  const sections = faq.split(/\\n(?=## )/);
  return defineTool({
    name: "search_faq",
    description: "Search the FAQ; returns the sections that match the question.",
    parameters: {
      type: "object",
      properties: { query: { type: "string", description: "The customer's question, or its key words." } },
      required: ["query"],
      additionalProperties: false,
    },
    execute: ({ query }) => {
      const words = String(query).toLowerCase().split(/\\W+/).filter((word) => word.length > 3);
      const found = sections.filter((section) => words.some((word) => section.toLowerCase().includes(word)));
      return found.length > 0 ? found.join("\\n\\n") : "Nothing in the FAQ matches.";
    },
  });
}

export default defineApp({
  name: "__NAME__",
  assets: { faq: asset.text(new URL("./faq.md", import.meta.url)) },
  models: {
    // Claude when only ANTHROPIC_API_KEY is set (ANTHROPIC_BASE_URL is read by the client), else OpenAI.
    default: () =>
      process.env.ANTHROPIC_API_KEY && !process.env.OPENAI_API_KEY
        ? new AnthropicChatCompletionClient({ model: process.env.ANTHROPIC_MODEL ?? "claude-haiku-4-5" })
        : new OpenAIChatCompletionClient({
            model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
            ...(process.env.OPENAI_BASE_URL === undefined ? {} : { baseURL: process.env.OPENAI_BASE_URL }),
          }),
  },
  agents: {
    assistant: ({ assets, models }) =>
      new AssistantAgent({
        name: "assistant",
        modelClient: models.default,
        systemMessage: "You answer customers' questions from the FAQ only: search it first, then answer in a sentence or two.",
        tools: [searchFaq(assets.faq)],
        reflectOnToolUse: true,
      }),
  },
});
`;

export const faqMd = `# FAQ

## How do I reset my password?

Choose "Forgot password" on the sign-in page; we email you a link that works for one hour.

## Can I change my plan?

Yes, at any time from Settings, Billing. A change takes effect at the start of the next month.

## How do I contact support?

Write to support@example.com; we answer within one working day.
`;

export const mockModelTs = `// A stand-in for the model provider, for the tests and \`npm run check\`: it searches the FAQ, then
// answers from what the search returned. Served by hearth's mock OpenAI-compatible server.
import type { MockChatRequest, MockReply } from "hearth/testing";

export function faqModel(request: MockChatRequest): MockReply {
  const last = request.messages.at(-1);
  if (last?.role === "tool") return { content: \`From our FAQ: \${String(last.content).split("\\n").slice(1).join(" ").trim()}\` };
  const question = typeof last?.content === "string" ? last.content : "";
  return { toolCalls: [{ name: "search_faq", arguments: { query: question } }] };
}
`;

export const appTestTs = `// The app over real HTTP, its model hearth's mock server on loopback: no provider, no key.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type HearthServer, serve } from "hearth/node";
import { type MockOpenAIServer, startMockOpenAIServer } from "hearth/testing";
import { faqModel } from "./mock-model.ts";

let mock: MockOpenAIServer;
let server: HearthServer;

before(async () => {
  mock = await startMockOpenAIServer({ respond: faqModel });
  process.env.OPENAI_BASE_URL = mock.url;
  process.env.OPENAI_API_KEY = "sk-test";
  const { default: app } = await import("./app.ts");
  server = await serve(app, { port: 0, store: { kind: "memory" }, log: () => undefined });
});

after(async () => {
  await server?.close();
  await mock?.close();
});

test("the assistant answers from the FAQ, through its search tool", async () => {
  const response = await fetch(\`\${server.url}/v1/chat\`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: "How do I reset my password?" }),
  });
  assert.equal(response.status, 200);
  const { reply, messages } = (await response.json()) as { reply: string; messages: { type: string }[] };
  assert.match(reply, /Forgot password/);
  assert.ok(messages.some((message) => message.type === "tool-call-execution"));
});

test("everything was built before ready: nothing is built while serving", async () => {
  const metrics = await (await fetch(\`\${server.url}/metrics\`)).text();
  assert.doesNotMatch(metrics, /^hearth_constructions_after_ready_total\\{[^}]*\\} [1-9]/m);
});
`;

export const budgetJson = `{
  "$comment": "What \`npm run check\` holds the app to (medians of cold starts; see hearth's docs/ci.md). Tighten it as you learn your figures.",
  "spawnToReadyMs": 1500,
  "spawnToFirstReplyMs": 2000,
  "firstToWarmRatio": 10,
  "constructionsAfterReady": 0
}
`;

export const packageJson = `{
  "name": "__NAME__",
  "private": true,
  "type": "module",
  "engines": { "node": ">=22.18" },
  "scripts": {
    "start": "hearth serve app.ts",
    "dev": "hearth serve app.ts --playground",
    "test": "node --test \\"*.test.ts\\"",
    "build": "hearth build app.ts --out build",
    "check": "hearth check app.ts --budget hearth.budget.json --mock mock-model.ts#faqModel --message \\"How do I reset my password?\\""
  },
  "dependencies": {
    "hearth": "^__HEARTH_VERSION__"
  },
  "devDependencies": {
    "esbuild": "^0.28.2"
  }
}
`;

export const dockerfile = `# Build the app into one folder with its compile cache, then run it on a slim image with no
# node_modules. Build with the same Node as the runtime stage: the compile cache belongs to it.
FROM node:24-slim AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npx hearth build app.ts --out build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8787
COPY --from=build /app/build ./build
# Sessions in SQLite on a volume; for several replicas use Redis: --store redis with REDIS_URL.
RUN mkdir /data && chown node /data
VOLUME /data
USER node
EXPOSE 8787
CMD ["node", "build/server.mjs", "--sessions-db", "/data/sessions.db"]
`;

export const gitignore = `node_modules/
build/
.hearth/
`;

export const dockerignore = `node_modules
build
.hearth
.env
.git
`;

export const readme = `# __NAME__

An agent served by [hearth](https://www.npmjs.com/package/hearth): built and warmed before it takes
traffic, so the first request is as fast as the rest.

\`\`\`sh
npm install
npm test                                   # against hearth's mock model server: no key needed
OPENAI_API_KEY=sk-... npm start             # serve on http://127.0.0.1:8787
OPENAI_API_KEY=sk-... npm run dev           # the same, with the playground at /playground
npm run build && node build/server.mjs     # one folder, no node_modules, compile cache primed
npm run check                              # cold-start budget (hearth.budget.json), for CI
\`\`\`

Ask it: \`curl -s localhost:8787/v1/chat -H 'content-type: application/json' -d '{"message": "How do I reset my password?"}'\`

- \`app.ts\`: the app (one agent, one tool, one asset: \`faq.md\`).
- \`app.test.ts\`: its test, with \`mock-model.ts\` standing in for the provider.
- \`Dockerfile\`: builds the app, then runs the build on a slim image.
`;
