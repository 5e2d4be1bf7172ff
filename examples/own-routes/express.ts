// hearth inside an Express server: hearth's routes under /agents, the seed's POST /chat beside them.
// Run: OPENAI_API_KEY=... node examples/own-routes/express.ts
import type { AddressInfo } from "node:net";
import express from "express";
import type { AnyApp } from "hearth";
import { createNodeHandler, type NodeHandlerOptions } from "hearth/node";
import { supportApp } from "../support/app.ts";
import { seedChat } from "./seed-chat.ts";

export async function startExpress(app: AnyApp, options: NodeHandlerOptions = {}, port = 0) {
  const hearth = await createNodeHandler(app, options);
  const server = express();
  // Before any body parser: hearth reads its own bodies, with its own limits.
  server.use("/agents", hearth);
  server.post("/chat", express.json(), async (request, response) => {
    const answer = await seedChat(hearth.runtime, hearth.app.store, request.body);
    response.status(answer.status).json(answer.body);
  });
  await hearth.ready;
  const listening = server.listen(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => listening.once("listening", resolve).once("error", reject));
  return {
    url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
    async close() {
      await hearth.close();
      listening.closeAllConnections();
      await new Promise((resolve) => listening.close(resolve));
    },
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { url } = await startExpress(supportApp, {}, Number(process.env.PORT ?? 8787));
  console.log(`listening on ${url}: POST /chat, and hearth under /agents`);
}
