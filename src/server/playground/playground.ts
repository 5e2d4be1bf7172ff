import { HearthError } from "../../core/errors.ts";
import { redactValue } from "../../internal/redact.ts";
import type { Runtime } from "../../runtime/runtime.ts";
import { waterfallSvg } from "../../telemetry/startup-waterfall.ts";
import { runnersFor } from "../chat.ts";
import { json, type HttpResponse } from "../http-types.ts";
import type { RequestRecord } from "../request-log.ts";
import { playgroundHtml, playgroundScript } from "./page.ts";

/** One request as the playground lists it. */
interface RecentRequest {
  readonly at: string;
  readonly tenant: string | undefined;
  readonly method: string;
  readonly route: string;
  readonly runner: string | undefined;
  readonly session: string | undefined;
  readonly status: number | undefined;
  readonly totalMs: number;
  readonly modelMs: number;
  readonly toolMs: number;
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
}

/** The routes the list leaves out: probes, scrapes and the playground's own. */
const unlisted = new Set(["/healthz", "/readyz", "/metrics", "/playground", "/playground/:part"]);
const kept = 50;

// The page runs only its own script, loaded from this server, and talks only to this server.
const pageHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
};

/**
 * The playground (`serve({ playground: true })`, `hearth serve --playground`): a page to pick an
 * agent or team, chat with it as it streams, watch its tool calls, read the stored session, the
 * startup waterfall and recent request timings. Loaded only when the option is on.
 */
export class Playground {
  readonly #runtime: Runtime;
  readonly #basePath: string;
  readonly #recent: RecentRequest[] = [];

  constructor(runtime: Runtime, basePath: string) {
    this.#runtime = runtime;
    this.#basePath = basePath;
  }

  /** Keeps a finished request's timings (the last 50). */
  record(record: RequestRecord, totalMs: number): void {
    if (unlisted.has(record.route)) return;
    this.#recent.push({
      at: new Date().toISOString(),
      tenant: record.tenant,
      method: record.method,
      route: record.route,
      runner: record.agent ?? record.team,
      session: record.session,
      status: record.status,
      totalMs,
      modelMs: record.modelMs,
      toolMs: record.toolMs,
      inputTokens: record.inputTokens,
      outputTokens: record.outputTokens,
    });
    if (this.#recent.length > kept) this.#recent.shift();
  }

  /** The page and its script: public, they hold no data. */
  asset(part: string | undefined): HttpResponse {
    if (part === undefined)
      return {
        status: 200,
        headers: { ...pageHeaders, "content-type": "text/html; charset=utf-8" },
        body: playgroundHtml(this.#basePath),
      };
    if (part === "app.js")
      return {
        status: 200,
        headers: { ...pageHeaders, "content-type": "text/javascript; charset=utf-8" },
        body: playgroundScript,
      };
    throw new HearthError("HEARTH_NOT_FOUND", `No playground file "${part}".`);
  }

  /** The caller's data, once authenticated: its runners, the startup waterfall, its recent requests. */
  async data(part: string, tenant: string): Promise<HttpResponse> {
    switch (part) {
      case "runners": {
        this.#runtime.assertServing();
        const runners = await runnersFor(this.#runtime, tenant, false);
        return json(200, { agents: Object.keys(runners.agents), teams: Object.keys(runners.teams) });
      }
      case "startup.svg":
        return {
          status: 200,
          headers: { "content-type": "image/svg+xml; charset=utf-8", "x-content-type-options": "nosniff" },
          body: waterfallSvg(this.#runtime.startupTrace()),
        };
      case "requests":
        // Redacted as the log line is: a session id is the client's text, and can be a key.
        return json(
          200,
          redactValue(
            this.#recent
              .filter((entry) => entry.tenant === tenant)
              .reverse()
              .map(({ tenant: _tenant, ...entry }) => entry),
          ),
        );
      default:
        throw new HearthError("HEARTH_NOT_FOUND", `No playground file "${part}".`);
    }
  }
}
