// An agent with a memory: a vector index of the shop's documents, built once at startup from
// documents.json and shared by every conversation. Each turn, the documents the question is about
// go into that turn's model request (and a `memory-query` event says which); no session stores them.
//
//   npm run example:memory -- "How far does an e-bike go?"
import { AssistantAgent, asset, defineApp, OpenAIChatCompletionClient, resource } from "hearth";
import { DocumentIndex, type IndexedDocument } from "./document-index.ts";
import { DocumentMemory } from "./document-memory.ts";

export default defineApp({
  name: "bike-shop",
  assets: {
    // Read and checked once at startup: a missing or malformed file stops the app before ready.
    documents: asset.json<IndexedDocument[]>(new URL("./documents.json", import.meta.url), {
      type: "array",
      items: {
        type: "object",
        properties: { id: { type: "string" }, title: { type: "string" }, text: { type: "string" } },
        required: ["id", "title", "text"],
      },
    }),
  },
  resources: {
    knowledge: resource({
      init: ({ assets, mark }) => {
        const started = performance.now();
        // A resource sees the app's assets untyped; this one was checked against its schema above.
        const index = DocumentIndex.build(assets.documents as readonly IndexedDocument[]);
        // The build shows in the startup trace as the step resource:knowledge/index.
        mark?.("index", started, performance.now());
        return new DocumentMemory({ name: "shop-documents", index });
      },
      // Runs the search path once before ready, so the first question does not compile it.
      warmup: async (memory) => void (await memory.query("opening hours")),
      close: (memory) => memory.close(),
    }),
  },
  models: {
    default: () =>
      new OpenAIChatCompletionClient({
        model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
        ...(process.env.OPENAI_BASE_URL === undefined ? {} : { baseURL: process.env.OPENAI_BASE_URL }),
      }),
  },
  agents: {
    shop_assistant: ({ models, resources }) =>
      new AssistantAgent({
        name: "shop_assistant",
        modelClient: models.default,
        systemMessage:
          "You answer customers of a bike rental shop. Answer from the shop's documents you are given, and say so when they do not cover the question.",
        memory: [resources.knowledge],
      }),
  },
});
