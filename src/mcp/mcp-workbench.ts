import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { abortError, HearthError, UserError } from "../core/errors.ts";
import type { JsonSchema } from "../core/json-schema.ts";
import type { AnyTool, ToolContext } from "../core/tool.ts";
import type { Workbench } from "../core/workbench.ts";
import { outgoingTraceparent } from "../core/operations.ts";
import { errorMessage } from "../internal/error-message.ts";
import { linkAbort } from "../internal/linked-abort.ts";
import { knownOptions } from "../core/known-options.ts";
import { mcpWorkbenchOptionNames } from "./option-names.ts";
import { providerToolNames } from "./tool-names.ts";
import { type McpCallResult, type McpContent, resultText } from "./tool-result.ts";

/** How to reach an MCP server: a child process over stdio, or a URL. */
export interface McpServerParams {
  /** Names the server in errors, logs, `/readyz` and the startup trace. */
  readonly name: string;
  /** Start the server as a child process and talk to it over its stdin and stdout. */
  readonly stdio?: {
    readonly command: string;
    readonly args?: readonly string[];
    /** Added to a safe default environment (PATH, HOME and the like): the parent's secrets are not passed on. */
    readonly env?: Readonly<Record<string, string>>;
    readonly cwd?: string;
  };
  /** Reach a running server over HTTP: Streamable HTTP, or the older HTTP+SSE transport. */
  readonly http?: {
    readonly url: string | URL;
    readonly headers?: Readonly<Record<string, string>>;
    /** Default "streamable-http". */
    readonly transport?: "streamable-http" | "sse";
  };
  /** Which of the server's tools to offer: a list of names, or a test. Default all. */
  readonly toolFilter?:
    | readonly string[]
    | ((tool: { readonly name: string; readonly description: string }) => boolean);
  /** Put in front of each tool's name (for example `"fs_"`), to tell servers' tools apart. */
  readonly prefix?: string;
  /** For connecting, listing and each call. Default 30000. */
  readonly timeoutMs?: number;
}

/** A tool as the server lists it. */
export interface McpToolInfo {
  /** The server's own name for it. */
  readonly name: string;
  /** The name agents and the model use: valid for providers, with the prefix. */
  readonly toolName: string;
  readonly description: string;
  readonly inputSchema: JsonSchema;
  readonly annotations?: {
    readonly readOnlyHint?: boolean;
    readonly idempotentHint?: boolean;
    readonly destructiveHint?: boolean;
  };
}

/** What a tool call returned, as AutoGen's workbench gives it. */
export interface McpToolCallResult {
  readonly name: string;
  /** The content as the model reads it (see `resultText`). */
  readonly text: string;
  readonly isError: boolean;
  readonly content: readonly McpContent[];
  readonly structuredContent?: unknown;
}

/** How long each part of connecting took, for the startup trace. */
export interface McpStartTimings {
  /** When connecting began (`performance.now()`). */
  readonly startMs: number;
  /** Spawning the process (stdio) or reaching the URL, and the `initialize` exchange. */
  readonly connectMs: number;
  /** Listing every page of tools. */
  readonly listMs: number;
}

type Sdk = {
  Client: typeof import("@modelcontextprotocol/sdk/client/index.js").Client;
  types: typeof import("@modelcontextprotocol/sdk/types.js");
};

let sdk: Promise<Sdk> | undefined;

/** The MCP SDK, imported the first time a workbench connects: an app without MCP never loads it. */
function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/types.js"),
  ]).then(
    ([client, types]) => ({ Client: client.Client, types }),
    (error: unknown) => {
      sdk = undefined;
      throw new UserError(
        `MCP servers need the MCP SDK: npm install @modelcontextprotocol/sdk (${errorMessage(error)}).`,
        { field: "mcp" },
      );
    },
  );
  return sdk;
}

const stderrTailBytes = 2_000;
/** A server that lists more pages of tools than this is taken to be looping. */
const maxToolPages = 100;

/**
 * AutoGen's McpWorkbench: one long-lived session with one MCP server, shared by every conversation
 * (the protocol tells concurrent calls apart by id). `start()` connects, runs `initialize` and lists
 * every page of tools; agents given the workbench offer those tools to their model. A server's
 * `tools/list_changed` notification lists them again, and agents see the new list from their next
 * model call.
 *
 * When the session is lost (the process exited, the connection closed, an HTTP server forgot the
 * session), the next call connects again first. A call the server never received (an HTTP server
 * that answers 404 for the session) is sent again on the new session. A call cut off while the
 * server had it is repeated only when the tool says it is safe (`readOnlyHint` or
 * `idempotentHint`); otherwise it fails, since the tool may already have acted.
 */
export class McpWorkbench implements Workbench {
  readonly name: string;
  readonly #params: McpServerParams;
  readonly #timeoutMs: number;
  #client: Client | undefined;
  #transport: Transport | undefined;
  #connecting: Promise<Client> | undefined;
  #stopped = false;
  #infos: readonly McpToolInfo[] = [];
  #byToolName = new Map<string, McpToolInfo>();
  #tools: readonly AnyTool[] = [];
  #version = 0;
  #stderr = "";
  #timings: McpStartTimings | undefined;
  #sessionsOpened = 0;

  constructor(params: McpServerParams) {
    params = knownOptions("McpWorkbench", params, mcpWorkbenchOptionNames);
    checkMcpServerParams(params);
    this.name = params.name;
    this.#params = params;
    this.#timeoutMs = params.timeoutMs ?? 30_000;
  }

  /** Connects, initialises and lists the tools. Resolves at once when already connected. */
  async start(options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    this.#stopped = false;
    await this.#session(options.signal);
  }

  /**
   * Ends the session: a DELETE for Streamable HTTP (given at most `timeoutMs`, capped at 5 s), the
   * child process for stdio. Idempotent.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const connecting = this.#connecting;
    if (connecting !== undefined) await connecting.catch(() => undefined);
    const client = this.#client;
    const transport = this.#transport;
    this.#client = undefined;
    this.#transport = undefined;
    if (client === undefined) return;
    const terminate = (transport as { terminateSession?: () => Promise<void> } | undefined)?.terminateSession;
    if (typeof terminate === "function")
      await withinMs(terminate.call(transport), Math.min(this.#timeoutMs, 5_000)).catch(() => undefined);
    await client.close().catch(() => undefined);
  }

  /** Whether a session is open now. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Sessions opened since it was made: 1 while the first lasts. */
  get sessionsOpened(): number {
    return this.#sessionsOpened;
  }

  /** How long the last connect took, part by part; undefined before one. */
  get startTimings(): McpStartTimings | undefined {
    return this.#timings;
  }

  /** The tools the server listed (after `toolFilter`), as AutoGen's `list_tools` gives them. */
  async listTools(): Promise<readonly McpToolInfo[]> {
    return this.#infos;
  }

  /** The tools now, as hearth tools: what an agent given this workbench offers its model. */
  tools(): readonly AnyTool[] {
    return this.#tools;
  }

  get toolsVersion(): number {
    return this.#version;
  }

  /**
   * Proves the session is alive (`ping`), connecting first if it is not; a session the server has
   * lost is opened again once.
   */
  async ping(options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#session(options.signal);
      try {
        await this.#request(options.signal, (signal) => client.ping({ timeout: this.#timeoutMs, signal }));
        return;
      } catch (error) {
        if (options.signal?.aborted === true) throw abortError(options.signal);
        const lost = sessionLost(error, client);
        if (lost !== undefined) this.#forget(client);
        if (lost === undefined || attempt > 1) throw this.#failure("the ping failed", error);
      }
    }
  }

  /**
   * Calls a tool by its name here or on the server. Aborting `signal` cancels the call on the
   * server (`notifications/cancelled`). A result the server marks `isError` is returned, not thrown.
   */
  async callTool(
    name: string,
    args: Readonly<Record<string, unknown>> = {},
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<McpToolCallResult> {
    // Connected first: the name is looked up in the list the connect fetched.
    await this.#session(options.signal);
    const info = this.#byToolName.get(name) ?? this.#infos.find((tool) => tool.name === name);
    return this.#call(info ?? { name }, args, options);
  }

  /** A call of the tool as it was listed (`info`), whatever the list says now. */
  async #call(
    info: Pick<McpToolInfo, "name" | "annotations">,
    args: Readonly<Record<string, unknown>>,
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number; readonly traceparent?: string },
  ): Promise<McpToolCallResult> {
    const serverName = info.name;
    const safeToRepeat = info.annotations?.readOnlyHint === true || info.annotations?.idempotentHint === true;
    const { signal } = options;
    for (let attempt = 1; ; attempt++) {
      const client = await this.#session(signal);
      try {
        const result = (await this.#request(signal, (requestSignal) =>
          client.callTool(
            {
              name: serverName,
              arguments: { ...args },
              // Trace context in `_meta`, as the MCP specification documents it (SEP-414).
              ...(options.traceparent === undefined ? {} : { _meta: { traceparent: options.traceparent } }),
            },
            undefined,
            {
              // hearth's own tool timeout runs the call; the SDK's only stops a request nothing else does.
              timeout: (options.timeoutMs ?? this.#timeoutMs) + 1_000,
              signal: requestSignal,
            },
          ),
        )) as McpCallResult;
        return {
          name: serverName,
          text: resultText(result),
          isError: result.isError === true,
          content: result.content ?? [],
          ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
        };
      } catch (error) {
        if (signal?.aborted === true) throw abortError(signal);
        const lost = sessionLost(error, client);
        if (lost === undefined) throw this.#failure(`the call to ${serverName} failed`, error);
        this.#forget(client);
        if (attempt > 1)
          throw this.#failure(`the server lost the session during the call to ${serverName} twice`, error);
        if (lost === "cut-off" && !safeToRepeat)
          throw this.#failure(
            `the server went away during the call to ${serverName}; the call was not repeated, as the tool may have acted (it is not marked read-only or idempotent)`,
            error,
          );
      }
    }
  }

  /**
   * One request with a signal of its own, linked to the caller's and unlinked when it ends: the
   * SDK listens to a request's signal and never stops, so a long-lived signal given to it directly
   * would gather listeners and cancel requests long finished.
   */
  async #request<T>(signal: AbortSignal | undefined, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const link = linkAbort([signal]);
    try {
      return await send(link.signal);
    } finally {
      link.unlink();
    }
  }

  /**
   * The open session, or a new one: connected, initialised and its tools listed. One connect at a
   * time, under its own deadline: a caller that gives up stops waiting, and the connect goes on for
   * the others.
   */
  #session(signal: AbortSignal | undefined): Promise<Client> {
    if (this.#client !== undefined) return Promise.resolve(this.#client);
    if (this.#stopped)
      return Promise.reject(new HearthError("HEARTH_MCP_UNAVAILABLE", `MCP server "${this.name}" was stopped.`));
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return signal === undefined ? this.#connecting : untilAborted(this.#connecting, signal);
  }

  async #connect(): Promise<Client> {
    const { Client: SdkClient, types } = await loadSdk();
    const started = performance.now();
    const client = new SdkClient({ name: "hearth", version: "1" }, { capabilities: {} });
    const transport = await this.#newTransport();
    client.onclose = () => this.#forget(client);
    let listing = Promise.resolve();
    client.setNotificationHandler(types.ToolListChangedNotificationSchema, () => {
      // One listing at a time, in order, and only for the session in use.
      listing = listing
        .then(() => (this.#client === client ? this.#listTools(client) : undefined))
        .catch(() => undefined);
    });
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    try {
      // Some transports (HTTP+SSE) wait for the server with no timeout of their own.
      await untilAborted(client.connect(transport, { timeout: this.#timeoutMs, signal: deadline }), deadline);
      const connected = performance.now();
      await this.#listTools(client);
      this.#timings = { startMs: started, connectMs: connected - started, listMs: performance.now() - connected };
    } catch (error) {
      await client.close().catch(() => undefined);
      throw this.#failure(
        deadline.aborted ? `could not connect within ${this.#timeoutMs} ms` : "could not connect",
        error,
      );
    }
    if (this.#stopped) {
      await client.close().catch(() => undefined);
      throw new HearthError("HEARTH_MCP_UNAVAILABLE", `MCP server "${this.name}" was stopped while it connected.`);
    }
    this.#client = client;
    this.#transport = transport;
    this.#sessionsOpened += 1;
    return client;
  }

  async #newTransport(): Promise<Transport> {
    const { stdio, http } = this.#params;
    if (stdio !== undefined) {
      const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
      const transport = new StdioClientTransport({
        command: stdio.command,
        ...(stdio.args === undefined ? {} : { args: [...stdio.args] }),
        ...(stdio.env === undefined ? {} : { env: { ...stdio.env } }),
        ...(stdio.cwd === undefined ? {} : { cwd: stdio.cwd }),
        stderr: "pipe",
      });
      // What the server said last on stderr goes into the error when it fails to start or exits.
      this.#stderr = "";
      transport.stderr?.on("data", (chunk: Buffer) => {
        this.#stderr = (this.#stderr + chunk.toString("utf8")).slice(-stderrTailBytes);
      });
      return transport;
    }
    const options = http?.headers === undefined ? {} : { requestInit: { headers: { ...http.headers } } };
    const url = new URL(String(http?.url));
    if (http?.transport === "sse") {
      const { SSEClientTransport } = await import("@modelcontextprotocol/sdk/client/sse.js");
      return new SSEClientTransport(url, options);
    }
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    return new StreamableHTTPClientTransport(url, options);
  }

  async #listTools(client: Client): Promise<void> {
    const listed: { name: string; description?: string | undefined; inputSchema: unknown; annotations?: unknown }[] =
      [];
    let cursor: string | undefined;
    for (let pages = 0; pages === 0 || cursor !== undefined; pages++) {
      if (pages >= maxToolPages) throw new Error(`the server listed more than ${maxToolPages} pages of tools`);
      const page = await this.#request(undefined, (signal) =>
        client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: this.#timeoutMs, signal }),
      );
      listed.push(...page.tools);
      cursor = page.nextCursor;
    }
    // Filtered first, so a tool left out takes no name from one offered.
    const kept = listed.filter((tool) => this.#accepts(tool.name, tool.description ?? ""));
    const names = providerToolNames(
      kept.map((tool) => tool.name),
      this.#params.prefix,
    );
    const infos = kept.map(
      (tool): McpToolInfo => ({
        name: tool.name,
        toolName: names.get(tool.name) as string,
        description: tool.description ?? "",
        inputSchema: tool.inputSchema as JsonSchema,
        ...(tool.annotations === undefined
          ? {}
          : { annotations: tool.annotations as NonNullable<McpToolInfo["annotations"]> }),
      }),
    );
    this.#infos = Object.freeze(infos);
    this.#byToolName = new Map(infos.map((info) => [info.toolName, info]));
    this.#tools = Object.freeze(infos.map((info) => this.#asTool(info)));
    this.#version += 1;
  }

  #accepts(name: string, description: string): boolean {
    const filter = this.#params.toolFilter;
    if (filter === undefined) return true;
    return typeof filter === "function" ? filter({ name, description }) : filter.includes(name);
  }

  #asTool(info: McpToolInfo): AnyTool {
    const workbench = this;
    return Object.freeze({
      name: info.toolName,
      description: info.description,
      parameters: info.inputSchema,
      strict: false,
      timeoutMs: this.#timeoutMs,
      // The server checks the arguments against its own schema and says what is wrong.
      checkArguments: (value: unknown) =>
        typeof value === "object" && value !== null && !Array.isArray(value)
          ? { ok: true as const, value: value as Record<string, unknown> }
          : { ok: false as const, message: "the arguments must be a JSON object" },
      async execute(args: Record<string, unknown>, context: ToolContext) {
        // The tool as the model was offered it, even if the server's list has changed since.
        const traceparent = outgoingTraceparent(context.run);
        const result = await workbench.#call(info, args, {
          signal: context.signal,
          ...(traceparent === undefined ? {} : { traceparent }),
        });
        if (result.isError) throw new Error(result.text || "the tool reported an error");
        return result.text;
      },
    });
  }

  /** Drops a session that is gone or unusable, and closes what is left of it (a child process, an HTTP stream). */
  #forget(client: Client): void {
    if (this.#client === client) {
      this.#client = undefined;
      this.#transport = undefined;
    }
    void client.close().catch(() => undefined);
  }

  #failure(what: string, error: unknown): HearthError {
    const said = this.#stderr.trim();
    return new HearthError(
      "HEARTH_MCP_UNAVAILABLE",
      `MCP server "${this.name}": ${what}: ${errorMessage(error)}${said === "" ? "" : ` (its last output: ${said.slice(-500)})`}`,
      { cause: error },
    );
  }
}

/**
 * How a request lost its session: "forgotten" when the server refused it for its session, so never
 * acted on it (404, as the protocol says; some servers answer 400 "No valid session ID" or "Server
 * not initialized"; the HTTP+SSE transport's errors carry the status in their text), "cut-off"
 * when the connection closed while the server had it (the SDK's ConnectionClosed, -32000, with the
 * client's transport gone: a server may use -32000 for errors of its own).
 */
function sessionLost(error: unknown, client: Client): "forgotten" | "cut-off" | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = errorMessage(error);
  if (code === 404 || /\(HTTP 404\)/.test(message)) return "forgotten";
  if (code === 400 && /session|not initialized/i.test(message)) return "forgotten";
  if (code === -32000 && client.transport === undefined) return "cut-off";
  return undefined;
}

/** Settles as `work` does, or rejects with the abort error when `signal` aborts first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** `work`, or a rejection once `ms` have passed. */
function withinMs<T>(work: Promise<T>, ms: number): Promise<T> {
  return untilAborted(work, AbortSignal.timeout(ms));
}

export function checkMcpServerParams(params: McpServerParams): void {
  if (typeof params !== "object" || params === null)
    throw new UserError("An MCP server needs { name, stdio | http }.", { field: "mcp" });
  if (typeof params.name !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(params.name))
    throw new UserError(`An MCP server's name must be letters, digits, _ or - (got ${JSON.stringify(params.name)}).`, {
      field: "name",
    });
  const where = `MCP server "${params.name}"`;
  if ((params.stdio === undefined) === (params.http === undefined))
    throw new UserError(`${where} needs exactly one of stdio: { command, args } or http: { url }.`, { field: "stdio" });
  if (params.stdio !== undefined && (typeof params.stdio.command !== "string" || params.stdio.command === ""))
    throw new UserError(`${where}: stdio.command must name the program to start.`, { field: "stdio.command" });
  if (params.http !== undefined) {
    if (!URL.canParse(String(params.http.url)))
      throw new UserError(`${where}: http.url must be a URL.`, { field: "http.url" });
    if (params.http.transport !== undefined && !["streamable-http", "sse"].includes(params.http.transport))
      throw new UserError(`${where}: http.transport must be "streamable-http" or "sse".`, { field: "http.transport" });
  }
  if (params.prefix !== undefined && (typeof params.prefix !== "string" || !/^[A-Za-z0-9_-]*$/.test(params.prefix)))
    throw new UserError(`${where}: prefix must be letters, digits, _ or -.`, { field: "prefix" });
  if (params.timeoutMs !== undefined && (!Number.isFinite(params.timeoutMs) || params.timeoutMs <= 0))
    throw new UserError(`${where}: timeoutMs must be a positive number.`, { field: "timeoutMs" });
  if (
    params.toolFilter !== undefined &&
    typeof params.toolFilter !== "function" &&
    !(Array.isArray(params.toolFilter) && params.toolFilter.every((name) => typeof name === "string"))
  )
    throw new UserError(`${where}: toolFilter must be a list of tool names or a function.`, { field: "toolFilter" });
}
