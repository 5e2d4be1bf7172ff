// The memory example in one command (`npm run example:memory`): the bike shop app served over HTTP by hearth, against hearth's
// mock model server on loopback (or the real provider when OPENAI_API_KEY is set). It prints the
// startup steps, the index build among them, asks one question over HTTP, and keeps serving.
import { serveExample } from "../serve-example.ts";
import { documentsModel } from "./documents-model.ts";

const question = process.argv[2] ?? "How far can an e-bike go on one charge?";
const server = await serveExample(documentsModel, () => import("./app.ts"));
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: question }),
});
const { reply, messages } = (await response.json()) as {
  reply: string;
  messages: { type: string; content?: { metadata?: { title?: string; score?: number } }[] }[];
};
const found = messages.find((message) => message.type === "memory-query")?.content ?? [];
console.log(`\n> ${question}`);
for (const item of found) console.log(`  (from memory: ${item.metadata?.title}, score ${item.metadata?.score})`);
console.log(`${reply}\n\nServing on ${server.url} (POST /v1/chat); Ctrl-C stops it.`);
