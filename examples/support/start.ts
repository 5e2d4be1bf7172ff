// Starts the support app's runtime, logs its startup trace at ready, answers one question through
// runtime.track, and closes: the runtime alone, as `hearth serve` uses it behind its HTTP server.
import { createRuntime } from "hearth";
import { supportApp } from "./app.ts";

const runtime = createRuntime(supportApp);
await runtime.start();
const question = process.argv[2] ?? "Where is order A123?";
const result = await runtime.track(() => runtime.agents.support_agent.run({ task: question }));
const reply = result.messages.at(-1);
process.stdout.write(
  `${JSON.stringify({ msg: "answered", question, reply: reply?.type === "text" ? reply.content : reply, trace: runtime.startupTrace() })}\n`,
);
await runtime.close();
