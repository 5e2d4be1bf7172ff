// A team exported from AutoGen Studio, served warm by hearth: team.json is read once at startup as
// an asset, loadComponent builds the team from it, and the runtime warms its model and runs a
// synthetic turn through it before ready.
//
//   npm run hearth -- mock examples/studio-team/studio-model.ts#studioModel
//   OPENAI_BASE_URL=<its URL> OPENAI_API_KEY=sk-mock npm run hearth -- serve examples/studio-team/app.ts
//   curl -s localhost:8787/v1/chat -H 'content-type: application/json' -d '{"team": "studio", "message": "What is 12 * 7?"}'
import { asset, defineApp, OpenAIChatCompletionClient } from "hearth";
import { loadComponent } from "hearth/autogen";
import { calculator } from "./calculator.ts";

export default defineApp({
  name: "studio-team",
  assets: {
    team: asset.json(new URL("./team.json", import.meta.url)),
  },
  models: {
    // The model the JSON names (gpt-4o-mini), as one of the app's models: the runtime warms it.
    default: () =>
      new OpenAIChatCompletionClient({
        model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
        ...(process.env.OPENAI_BASE_URL === undefined ? {} : { baseURL: process.env.OPENAI_BASE_URL }),
      }),
  },
  teams: {
    studio: ({ assets, models }) =>
      loadComponent(assets.team, {
        componentType: "team",
        modelClients: { "gpt-4o-mini": models.default },
        tools: { calculator },
      }),
  },
});
