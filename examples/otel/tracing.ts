// Traces from hearth to any OpenTelemetry collector that takes OTLP over HTTP (Jaeger, Grafana Tempo,
// Langfuse, Phoenix, the OpenTelemetry Collector): load this module before the app, so startup is
// traced too, and say where the collector is:
//
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 NODE_OPTIONS=--import=./tracing.ts npx hearth serve app.ts
//
// It needs @opentelemetry/api, @opentelemetry/sdk-trace-base and @opentelemetry/exporter-trace-otlp-http.
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { instrument } from "hearth/otel";

export const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
instrument({ tracerProvider });

// Spans wait in a batch: send what is left when the process ends.
process.once("beforeExit", () => void tracerProvider.shutdown());
