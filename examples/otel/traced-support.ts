// The support app with its traces sent to an OTLP collector (see tracing.ts): it serves, answers one
// question over HTTP, sends the spans, and stops. `OTEL_EXPORTER_OTLP_ENDPOINT` says where to.
import { tracerProvider } from "./tracing.ts";
import { serve } from "hearth/node";
import { startMockOpenAIServer } from "hearth/testing";
import { supportModel } from "../support/support-model.ts";

const mock = await startMockOpenAIServer({ respond: supportModel, models: ["support-mock"] });
process.env.OPENAI_BASE_URL = mock.url;
process.env.OPENAI_API_KEY = "demo-key";
process.env.OPENAI_MODEL = "support-mock";
const { supportApp } = await import("../support/app.ts");
const server = await serve(supportApp, { port: 0, log: () => undefined, store: { kind: "memory" } });
const response = await fetch(`${server.url}/v1/chat`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ message: "Where is order A123?" }),
});
console.log(((await response.json()) as { reply: string }).reply);
await server.close();
await mock.close();
await tracerProvider.forceFlush();
