import { diagnosticsChannel, type ModelCallEvent, type ToolCallEvent } from "../core/diagnostics.ts";
import type { ModelPrice } from "../runtime/app.ts";
import type { ProviderConnections } from "../runtime/keep-warm.ts";
import type { StartupTraceJSON } from "../runtime/startup-trace.ts";

type Labels = Readonly<Record<string, string>>;

const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

/** A series' key: cheap to build on every observation (label text is built only when scraped). */
function labelKey(labels: Labels): string {
  let key = "";
  for (const name in labels) key += `${name}\u0000${labels[name]}\u0001`;
  return key;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 1e6) / 1e6);
}

class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  readonly name: string;
  readonly help: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }

  inc(labels: Labels = {}, amount = 1): void {
    const key = labelKey(labels);
    const entry = this.#values.get(key) ?? { labels, value: 0 };
    entry.value += amount;
    this.#values.set(key, entry);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.#values.values())
      lines.push(`${this.name}${labelText(labels)} ${formatNumber(value)}`);
    return lines.join("\n");
  }
}

class Histogram {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];

  constructor(name: string, help: string, buckets: readonly number[] = secondsBuckets) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels);
    let series = this.#series.get(key);
    if (series === undefined) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    // Each value is counted in its own bucket only; render() makes the counts cumulative.
    const buckets = this.buckets;
    let index = 0;
    while (index < buckets.length && value > (buckets[index] as number)) index++;
    if (index < buckets.length) series.counts[index] = (series.counts[index] as number) + 1;
    series.sum += value;
    series.count += 1;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += counts[index] as number;
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${formatNumber(sum)}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join("\n");
  }
}

function gauge(
  name: string,
  help: string,
  samples: readonly [Labels, number][],
  type: "gauge" | "counter" = "gauge",
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) lines.push(`${name}${labelText(labels)} ${formatNumber(value)}`);
  return lines.join("\n");
}

/**
 * hearth's metrics in Prometheus text format. Model, tool and construction figures come from the
 * diagnostics channels this subscribes to; startup figures are read from the trace when scraped.
 * Created after ready: nothing of it is on the startup path.
 */
export class HearthMetrics {
  readonly requests = new Histogram(
    "hearth_http_request_duration_seconds",
    "HTTP request duration by route and status.",
  );
  readonly modelCalls = new Histogram(
    "hearth_model_call_duration_seconds",
    "Model call duration by model and outcome (ok, or the error code).",
  );
  readonly modelErrors = new Counter("hearth_model_call_errors_total", "Failed model calls by error code.");
  readonly tokens = new Counter(
    "hearth_model_tokens_total",
    "Tokens the providers reported, by model, kind (input or output), caller (agent, or team/selector), and tenant when the server names them.",
  );
  readonly cost = new Counter(
    "hearth_model_cost_total",
    "What the reported tokens cost by the app's price table (in its currency), by model, caller, and tenant when the server names them.",
  );
  readonly toolCalls = new Histogram("hearth_tool_call_duration_seconds", "Tool call duration by tool.");
  readonly toolErrors = new Counter(
    "hearth_tool_call_errors_total",
    "Tool calls that returned an error, by tool and code.",
  );
  readonly tenantCache = new Counter("hearth_tenant_cache_events_total", "Tenant cache hits, misses and evictions.");
  readonly tenantBuilds = new Histogram("hearth_tenant_build_duration_seconds", "Time to build a tenant's stack.");
  readonly constructions = new Counter(
    "hearth_constructions_after_ready_total",
    "Definitions built while serving (the cold-start bug), by kind.",
  );
  readonly #unsubscribe: (() => void)[] = [];
  readonly #toolLabels = new Set<string>();
  readonly #maxToolLabels: number;
  readonly #tenantLabels = new Set<string>();
  readonly #maxTenantLabels: number;
  readonly #prices: Readonly<Record<string, ModelPrice>>;

  /**
   * `maxToolLabels`: distinct tool names kept apart; past it, a new one is counted as "_other".
   * Default 200. `maxTenantLabels`: the same for tenants in the token and cost counters; default 0,
   * no tenant label at all (`/metrics` is open to scrapers). `prices`: the app's price table.
   */
  constructor(
    options: {
      readonly maxToolLabels?: number;
      readonly maxTenantLabels?: number;
      readonly prices?: Readonly<Record<string, ModelPrice>>;
    } = {},
  ) {
    this.#maxToolLabels = options.maxToolLabels ?? 200;
    this.#maxTenantLabels = options.maxTenantLabels ?? 0;
    this.#prices = options.prices ?? {};
    this.#listen("hearth:model-call", (event: ModelCallEvent) => {
      this.modelCalls.observe({ model: event.model, outcome: event.errorCode ?? "ok" }, event.durationMs / 1000);
      if (event.errorCode !== undefined) this.modelErrors.inc({ code: event.errorCode });
      const { model, caller } = event;
      const { promptTokens, completionTokens } = event.usage;
      if (promptTokens + completionTokens === 0) return;
      const labels: Labels =
        this.#maxTenantLabels === 0 ? { model, caller } : { model, caller, tenant: this.#tenantLabel(event.tenant) };
      if (promptTokens > 0) this.tokens.inc({ ...labels, kind: "input" }, promptTokens);
      if (completionTokens > 0) this.tokens.inc({ ...labels, kind: "output" }, completionTokens);
      const price = Object.hasOwn(this.#prices, model) ? this.#prices[model] : undefined;
      if (price !== undefined)
        this.cost.inc(labels, (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1e6);
    });
    this.#listen("hearth:tool-call", (event: ToolCallEvent) => {
      const tool = this.#toolLabel(event);
      this.toolCalls.observe({ tool }, event.durationMs / 1000);
      if (event.isError) this.toolErrors.inc({ tool, code: event.errorCode ?? "ERROR" });
    });
    this.#listen("hearth:tenant-cache", (event: { event: string; durationMs?: number }) => {
      if (event.event === "build") this.tenantBuilds.observe({}, (event.durationMs ?? 0) / 1000);
      else this.tenantCache.inc({ event: event.event });
    });
    this.#listen("hearth:construction", (event: { kind: string }) => this.constructions.inc({ kind: event.kind }));
  }

  /**
   * The model chooses a tool's name, so a name no agent has is one label ("_unknown") and the
   * labels are bounded: an outsider cannot grow /metrics by prompting for made-up tools.
   */
  #toolLabel(event: ToolCallEvent): string {
    if (event.errorCode === "HEARTH_TOOL_UNKNOWN") return "_unknown";
    if (this.#toolLabels.has(event.tool)) return event.tool;
    if (this.#toolLabels.size >= this.#maxToolLabels) return "_other";
    this.#toolLabels.add(event.tool);
    return event.tool;
  }

  /** Tenants are as many as the app has keys for: bounded like tool names. */
  #tenantLabel(tenant: string | undefined): string {
    if (tenant === undefined) return "none";
    if (this.#tenantLabels.has(tenant)) return tenant;
    if (this.#tenantLabels.size >= this.#maxTenantLabels) return "_other";
    this.#tenantLabels.add(tenant);
    return tenant;
  }

  #listen<Event>(name: string, handle: (event: Event) => void): void {
    const channel = diagnosticsChannel(name);
    const listener = (message: unknown) => handle(message as Event);
    channel.subscribe(listener);
    this.#unsubscribe.push(() => channel.unsubscribe(listener));
  }

  render(trace: StartupTraceJSON, providers: readonly ProviderConnections[] = []): string {
    const blocks = [
      gauge(
        "hearth_startup_phase_duration_seconds",
        "Startup phase durations.",
        trace.phases.map((phase) => [{ phase: phase.name }, phase.durationMs / 1000]),
      ),
      gauge(
        "hearth_startup_step_duration_seconds",
        "Startup step durations.",
        trace.steps.map((step) => [{ kind: step.kind, name: step.name, status: step.status }, step.durationMs / 1000]),
      ),
      gauge(
        "hearth_time_to_ready_seconds",
        "Process start to ready.",
        trace.readyMs === undefined ? [] : [[{}, trace.readyMs / 1000]],
      ),
      gauge(
        "hearth_first_request_duration_seconds",
        "The first request after ready.",
        trace.firstRequest === undefined ? [] : [[{}, trace.firstRequest.durationMs / 1000]],
      ),
      this.requests.render(),
      this.modelCalls.render(),
      this.modelErrors.render(),
      this.tokens.render(),
      this.cost.render(),
      this.toolCalls.render(),
      this.toolErrors.render(),
      gauge(
        "hearth_provider_connections",
        "Open connections to each model provider, by state.",
        providers.flatMap((line) => [
          [{ provider: line.provider, state: "active" }, line.active] as [Labels, number],
          [{ provider: line.provider, state: "idle" }, line.idle] as [Labels, number],
        ]),
      ),
      gauge(
        "hearth_provider_idle_seconds",
        "Seconds since a request last went to each model provider.",
        providers.flatMap((line) =>
          line.idleSeconds === undefined ? [] : [[{ provider: line.provider }, line.idleSeconds] as [Labels, number]],
        ),
      ),
      gauge(
        "hearth_keep_warm_requests_total",
        "Keep-warm requests sent to each model provider since ready.",
        providers.map((line) => [{ provider: line.provider }, line.keepWarmRequests]),
        "counter",
      ),
      this.tenantCache.render(),
      this.tenantBuilds.render(),
      this.constructions.render(),
    ];
    return `${blocks.join("\n")}\n`;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }
}
