// The OTLP recipe (examples/otel/tracing.ts) works: the support app's traces reach a collector over
// OTLP/HTTP, here a receiver on loopback that keeps what it is sent.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { runNode } from "./support/run-node.ts";

test("examples/otel sends the startup trace and a turn's spans to an OTLP/HTTP collector", async () => {
  const received: { path: string; body: string }[] = [];
  const collector = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      received.push({ path: request.url ?? "", body });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  const { port } = collector.address() as { port: number };
  try {
    const { code, stdout: output } = await runNode(
      ["--conditions=@hearth/source", new URL("../examples/otel/traced-support.ts", import.meta.url).pathname],
      { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    );
    assert.equal(code, 0);
    assert.match(output, /JD014600006281/, "the app answered");
    const traces = received.filter((entry) => entry.path === "/v1/traces").map((entry) => entry.body);
    assert.ok(traces.length > 0, "the collector was sent traces");
    const all = traces.join("\n");
    for (const name of [
      "hearth.startup",
      "invoke_agent support_agent",
      "chat support-mock",
      "execute_tool lookup_order",
    ])
      assert.ok(all.includes(`"name":"${name}"`), `${name} among the spans sent`);
  } finally {
    collector.close();
  }
});
