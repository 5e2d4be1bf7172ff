// The support example served by hearth, as an app would run it: the published bundle, sessions in
// memory, logs off.
import { MemorySessionStore } from "hearth";
import { serve } from "hearth/node";
import { supportApp } from "../../examples/support/app.ts";

const server = await serve(supportApp, { port: 0, store: new MemorySessionStore(), log: () => {} });
process.stdout.write(`READY ${server.url}\n`);
