import { MemorySessionStore } from "./memory-session-store.ts";
import { describeSessionStore } from "./session-store.cases.ts";

describeSessionStore("memory", async () => new MemorySessionStore());
