// The MCP example in one command (`npm run example:mcp`): the policy app served over HTTP by
// hearth, against hearth's mock model server on loopback (or the real provider when OPENAI_API_KEY
// is set). It prints the startup steps, the MCP server's among them, asks one question over HTTP,
// and keeps serving.
import { serveExample } from "../serve-example.ts";
import { policyModel } from "./policy-model.ts";

const question = process.argv[2] ?? "How do refunds work?";
const server = await serveExample(policyModel, () => import("./app.ts"));
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: question }),
});
const { reply } = (await response.json()) as { reply: string };
console.log(`\n> ${question}\n${reply}\n\nServing on ${server.url} (POST /v1/chat); Ctrl-C stops it.`);
