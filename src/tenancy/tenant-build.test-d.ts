// Type tests: `npm test` type-checks this file. tenants.build is typed by the app's own assets,
// resources and models, as agent factories are: no casts.
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { asset } from "../runtime/asset.ts";
import { defineApp } from "../runtime/app.ts";
import { resource } from "../runtime/resource.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";

defineApp({
  name: "typed-tenants",
  assets: { prompt: asset.text("prompt.md") },
  resources: { db: resource({ init: () => ({ lookup: (id: string) => id.length }) }) },
  models: { default: () => new ScriptedModelClient() },
  agents: { helper: ({ models }) => new AssistantAgent({ name: "helper", modelClient: models.default }) },
  tenants: {
    resolve: (key) => key,
    build: ({ assets, resources, models, credentials }) => {
      const prompt: string = assets.prompt;
      const count: number = resources.db.lookup(credentials.region ?? "eu");
      // @ts-expect-error: not an asset of the app
      void assets.missing;
      // @ts-expect-error: lookup takes a string
      resources.db.lookup(42);
      return {
        agents: {
          helper: new AssistantAgent({
            name: "helper",
            modelClient: models.default,
            systemMessage: `${prompt} ${count}`,
          }),
        },
      };
    },
  },
});
