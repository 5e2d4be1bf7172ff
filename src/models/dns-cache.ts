import type { LookupAddress, LookupOptions } from "node:dns";
import { UserError } from "../core/errors.ts";
import { errorMessage } from "../internal/error-message.ts";

export interface DnsCacheOptions {
  /** DNS servers asked for each name's TTL (`host` or `host:port`); default the system's. */
  readonly servers?: readonly string[];
  /** An answer is kept at most this long, whatever its TTL. Default 300000 (five minutes). */
  readonly maxTtlMs?: number;
  /** Where addresses come from: the system's `dns.lookup` by default (a service-discovery client's, say). */
  readonly lookup?: (
    hostname: string,
    options: LookupOptions & { all: true },
    callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
  ) => void;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

interface Entry {
  readonly addresses: readonly LookupAddress[];
  readonly expiresAt: number;
}

/**
 * A provider's address, looked up once and kept within its DNS TTL, so a connection opened after a
 * quiet spell does not wait for a lookup again. The addresses are the system's (`dns.lookup`: the
 * hosts file, search domains and the rest of the system's configuration, as Node's default); the
 * TTL comes from a DNS query for the same name made alongside, which never delays a connection. A
 * name whose TTL cannot be learnt (the query fails, or it is `localhost`) is looked up each time,
 * as without the cache.
 */
export class DnsCache {
  readonly #entries = new Map<string, Entry>();
  /** Names with no TTL to learn, until when they are not asked about again. */
  readonly #unknown = new Map<string, number>();
  readonly #maxTtlMs: number;
  readonly #servers: readonly string[] | undefined;
  readonly #lookup: NonNullable<DnsCacheOptions["lookup"]> | undefined;
  #resolver: import("node:dns").promises.Resolver | undefined;
  /** DNS queries sent to learn TTLs, for tests and diagnostics. */
  queries = 0;

  constructor(options: DnsCacheOptions = {}) {
    this.#maxTtlMs = options.maxTtlMs ?? 300_000;
    this.#servers = options.servers;
    this.#lookup = options.lookup;
    if (!Number.isFinite(this.#maxTtlMs) || this.#maxTtlMs < 0)
      throw new UserError("`dns.maxTtlMs` must be a number of milliseconds, 0 or more.", { field: "dns.maxTtlMs" });
    // Checked now, not when the first connection is made.
    if (options.servers !== undefined) this.#resolverNow();
  }

  /** A `lookup` for `net.connect` and `http.Agent`, with Node's signature. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const entry = this.#entries.get(hostname);
    if (entry !== undefined && entry.expiresAt > performance.now()) {
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const addresses = entry.addresses.filter((address) => wanted === 0 || address.family === wanted);
      if (addresses.length > 0) {
        process.nextTick(() => {
          if (options.all === true) callback(null, addresses);
          else callback(null, (addresses[0] as LookupAddress).address, (addresses[0] as LookupAddress).family);
        });
        return;
      }
    }
    const lookup = this.#lookup ?? process.getBuiltinModule("node:dns").lookup;
    const learning = this.#learnTtl(hostname);
    // Every family is asked for and kept; each caller gets the family it wants.
    lookup(hostname, { ...options, family: 0, all: true }, (error, all) => {
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const addresses = (all ?? []).filter((address) => wanted === 0 || address.family === wanted);
      if (error || addresses.length === 0)
        return callback(
          error ?? Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname }),
          [],
        );
      void learning.then((ttlMs) => {
        if (ttlMs > 0) this.#entries.set(hostname, { addresses: all, expiresAt: performance.now() + ttlMs });
      });
      if (options.all === true) callback(null, addresses);
      else callback(null, (addresses[0] as LookupAddress).address, (addresses[0] as LookupAddress).family);
    });
  };

  /** Forgets every answer (after a network change, say). */
  clear(): void {
    this.#entries.clear();
    this.#unknown.clear();
  }

  /**
   * The shortest TTL of the name's A and AAAA records in milliseconds, capped; 0 when unknown. A
   * name whose TTL could not be learnt is not asked about again for a minute (a hosts-file name, a
   * cluster's short service name), so it costs no DNS query per connection.
   */
  async #learnTtl(hostname: string): Promise<number> {
    if (hostname === "localhost" || hostname.endsWith(".localhost")) return 0;
    const unknownUntil = this.#unknown.get(hostname);
    if (unknownUntil !== undefined && unknownUntil > performance.now()) return 0;
    this.queries += 1;
    try {
      const resolver = this.#resolverNow();
      const answers = await Promise.allSettled([
        resolver.resolve4(hostname, { ttl: true }),
        resolver.resolve6(hostname, { ttl: true }),
      ]);
      const ttls = answers.flatMap((answer) =>
        answer.status === "fulfilled" ? answer.value.map((record) => record.ttl) : [],
      );
      if (ttls.length > 0) return Math.min(Math.min(...ttls) * 1000, this.#maxTtlMs);
    } catch {
      // No TTL to learn: as for a name the server does not know.
    }
    this.#unknown.set(hostname, performance.now() + 60_000);
    return 0;
  }

  #resolverNow() {
    if (this.#resolver === undefined) {
      // One try and a short timeout: an unanswered query must not hold the process open for long.
      this.#resolver = new (process.getBuiltinModule("node:dns").promises.Resolver)({ timeout: 1_000, tries: 1 });
      if (this.#servers !== undefined)
        try {
          this.#resolver.setServers([...this.#servers]);
        } catch (error) {
          throw new UserError(`\`dns.servers\` must be IP addresses, with a port or not: ${errorMessage(error)}`, {
            field: "dns.servers",
          });
        }
    }
    return this.#resolver;
  }
}
