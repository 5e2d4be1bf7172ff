// The support example served by hearth, as an app would run it: the published bundle, sessions in
// memory (or SQLite, below), logs off.
import { defineApp, MemorySessionStore, SqliteSessionStore } from "hearth";
import { serve } from "hearth/node";
import { supportApp } from "../../examples/support/app.ts";

// With BENCH_DURABLE_DB, hearth's default store: SQLite on that file.
const durable = process.env.BENCH_DURABLE_DB;
const store = durable === undefined ? new MemorySessionStore() : new SqliteSessionStore({ path: durable });
// With BENCH_KEEP_WARM, keep-warm "off" or refreshing after that many ms (the default otherwise).
const keepWarm = process.env.BENCH_KEEP_WARM;
const app =
  keepWarm === undefined
    ? supportApp
    : defineApp({ ...supportApp, keepWarm: keepWarm === "off" ? false : { intervalMs: Number(keepWarm) } });
const server = await serve(app, { port: 0, store, log: () => {} });
process.stdout.write(`READY ${server.url}\n`);
