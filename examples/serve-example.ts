// What the one-command examples share: serve the example's app over HTTP against hearth's mock
// model server on loopback (or the real provider when OPENAI_API_KEY is set), print its startup
// steps, and stop on SIGINT or SIGTERM. The app module is imported after the mock has set
// OPENAI_BASE_URL, so its model client is built against it.
import type { AnyApp } from "hearth";
import { closeOnSignals } from "hearth/cli";
import { type HearthServer, serve } from "hearth/node";
import { type MockChatRequest, type MockReply, startMockOpenAIServer } from "hearth/testing";

export async function serveExample(
  respond: (request: MockChatRequest) => MockReply | Promise<MockReply>,
  loadApp: () => Promise<{ default: AnyApp }>,
): Promise<HearthServer> {
  if (process.env.OPENAI_API_KEY === undefined || process.env.OPENAI_API_KEY === "") {
    const mock = await startMockOpenAIServer({ respond });
    process.env.OPENAI_BASE_URL = mock.url;
    process.env.OPENAI_API_KEY = "demo-key";
  }
  const { default: app } = await loadApp();
  const server = await serve(app, {
    port: process.env.PORT === undefined ? 8787 : Number(process.env.PORT),
    store: { kind: "memory" },
    log: (entry) => {
      if (entry.level === "warn" || entry.level === "error") console.error(`${entry.level}: ${entry.msg}`);
    },
  });
  const trace = server.runtime.startupTrace();
  console.log(`startup: ready ${trace.readyMs} ms after the process started`);
  for (const step of trace.steps)
    console.log(
      `  ${`${step.kind}:${step.name}`.padEnd(40)} ${step.durationMs.toFixed(1).padStart(7)} ms  ${step.status}`,
    );
  closeOnSignals(server, 10_000, (message) => console.error(`hearth: ${message}`));
  return server;
}
