// The Studio team in one command (`npm run example:studio-team`):
// the app served over HTTP by hearth, against hearth's mock model server on loopback (or the real
// provider when OPENAI_API_KEY is set). It prints the startup steps, asks one question over HTTP,
// and keeps serving.
import { serveExample } from "../serve-example.ts";
import { studioModel } from "./studio-model.ts";

const question = process.argv[2] ?? "What is 12 * 7?";
const server = await serveExample(studioModel, () => import("./app.ts"));
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ team: "studio", message: question }),
});
const { reply } = (await response.json()) as { reply: string };
console.log(`\n> ${question}\n${reply}\n\nServing on ${server.url} (POST /v1/chat); Ctrl-C stops it.`);
