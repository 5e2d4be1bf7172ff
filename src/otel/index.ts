// hearth/otel: hearth's runs as OpenTelemetry spans in the GenAI semantic conventions, and its
// startup as a trace. Needs @opentelemetry/api (an optional peer dependency).
export { type InstrumentOptions, instrument } from "./instrument.ts";
