// hearth inside a Hono app (on Node, through @hono/node-server): hearth's routes mounted at
// /agents, the seed's POST /chat beside them. The same Hono app runs on any fetch platform.
// Run: OPENAI_API_KEY=... node examples/own-routes/hono.ts
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import type { AnyApp } from "hearth";
import { createFetchHandler, type FetchHandlerOptions } from "hearth/fetch";
import { supportApp } from "../support/app.ts";
import { seedChat } from "./seed-chat.ts";

export async function startHono(app: AnyApp, options: FetchHandlerOptions = {}, port = 0) {
  const hearth = createFetchHandler(app, options);
  const server = new Hono();
  // mount() strips /agents before hearth sees the request.
  server.mount("/agents", hearth);
  server.post("/chat", async (c) => {
    const answer = await seedChat(hearth.runtime, hearth.app.store, await c.req.json().catch(() => undefined));
    return c.json(answer.body, answer.status);
  });
  await hearth.runtime.ready;
  const listening = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const node = serve({ fetch: server.fetch, port, hostname: "127.0.0.1" }, () => resolve(node));
  });
  return {
    url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
    async close() {
      await hearth.runtime.close();
      await hearth.app.close();
      await new Promise((resolve) => listening.close(resolve));
    },
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { url } = await startHono(supportApp, {}, Number(process.env.PORT ?? 8787));
  console.log(`listening on ${url}: POST /chat, and hearth under /agents`);
}
