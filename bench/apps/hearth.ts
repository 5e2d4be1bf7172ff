// The support example served by hearth, as an app would run it: the published bundle, sessions in
// memory (or SQLite, below), logs off.
import { MemorySessionStore, SqliteSessionStore } from "hearth";
import { serve } from "hearth/node";
import { supportApp } from "../../examples/support/app.ts";

// With BENCH_DURABLE_DB, hearth's default store: SQLite on that file.
const durable = process.env.BENCH_DURABLE_DB;
const store = durable === undefined ? new MemorySessionStore() : new SqliteSessionStore({ path: durable });
const server = await serve(supportApp, { port: 0, store, log: () => {} });
process.stdout.write(`READY ${server.url}\n`);
