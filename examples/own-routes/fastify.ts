// hearth inside a Fastify server: hearth's routes under /agents, the seed's POST /chat beside them.
// Run: OPENAI_API_KEY=... node examples/own-routes/fastify.ts
import Fastify from "fastify";
import type { AnyApp } from "hearth";
import { createNodeHandler, type NodeHandlerOptions } from "hearth/node";
import { supportApp } from "../support/app.ts";
import { seedChat } from "./seed-chat.ts";

export async function startFastify(app: AnyApp, options: NodeHandlerOptions = {}, port = 0) {
  // Fastify passes requests on with their full path: hearth is told its prefix.
  const hearth = await createNodeHandler(app, { ...options, basePath: "/agents" });
  const server = Fastify();
  await server.register(
    async (scope) => {
      // hearth reads its own bodies, with its own limits: Fastify leaves them unread here.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
      scope.all("/*", (request, reply) => {
        reply.hijack();
        hearth(request.raw, reply.raw);
      });
    },
    { prefix: "/agents" },
  );
  server.post("/chat", async (request, reply) => {
    const answer = await seedChat(hearth.runtime, hearth.app.store, request.body);
    return reply.code(answer.status).send(answer.body);
  });
  await hearth.ready;
  const url = await server.listen({ port, host: "127.0.0.1" });
  return {
    url,
    async close() {
      await hearth.close();
      await server.close();
    },
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { url } = await startFastify(supportApp, {}, Number(process.env.PORT ?? 8787));
  console.log(`listening on ${url}: POST /chat, and hearth under /agents`);
}
