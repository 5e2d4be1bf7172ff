import { HashedSecrets } from "./hashed-secrets.ts";

/**
 * The one redaction every outward text passes through: problem documents, server-sent errors, log
 * lines, readiness, the startup trace, and tool results before the model sees them or a session
 * stores them. It removes the secrets this process knows (added with `addSecrets`: the app's client
 * keys, model clients' keys, tenants' secret credentials; and environment values named like keys
 * or passwords) wherever they appear, and text shaped like a secret: `sk-` keys, bearer and basic
 * credentials, the user info of a URL, `password=...` and `"clientSecret": "..."`.
 *
 * The known secrets are process-wide on purpose: a secret is one wherever it shows up, and a tool
 * result or a provider error can quote it far from the code that configured it. They are kept for
 * the process's life (a rotated key stays known). The app's API keys are kept as digests only
 * (`addHashed`: see hashed-secrets.ts); the others are held by what uses them anyway (a model
 * client sends its key, the environment has its values), and are kept as they are.
 */
export class SecretRedactor {
  readonly #secrets = new Set<string>();
  readonly #hashed = new HashedSecrets();
  /** Up to `regexLimit` secrets: one alternation, longest first, made again when one is added. */
  #pattern: RegExp | undefined;
  /**
   * Past `regexLimit` secrets (thousands of tenants' keys): the lengths of the secrets that start
   * with each six characters, longest first. A regular expression of 10,000 alternatives took 535 ms
   * to compile here, on every new tenant; this index costs about 15 us a log line whatever its size,
   * and keys that share a prefix (`sk-proj-`) cost a set lookup per distinct length, not per key.
   */
  #lengthsByPrefix: Map<string, number[]> | undefined;
  readonly #environment: Readonly<Record<string, string | undefined>> | undefined;
  #environmentRead = false;

  /** `environment`: read at the first redaction, and again on `rescanEnvironment()`, for values named like keys and passwords. */
  constructor(options: { readonly environment?: Readonly<Record<string, string | undefined>> } = {}) {
    this.#environment = options.environment;
  }

  /** Values that must never leave the process. Shorter than 6 characters is ignored: it would redact ordinary words. */
  add(values: Iterable<string | undefined>): void {
    for (const value of values) {
      if (typeof value !== "string" || value.length < minimumLength || this.#secrets.has(value)) continue;
      this.#secrets.add(value);
      this.#pattern = undefined;
      if (this.#lengthsByPrefix !== undefined) index(this.#lengthsByPrefix, value);
      else if (this.#secrets.size > regexLimit) {
        this.#lengthsByPrefix = new Map();
        for (const secret of this.#secrets) index(this.#lengthsByPrefix, secret);
      }
    }
  }

  /** Secrets known by their digests only, found as surely as the others: what hearth needs only to recognise (API keys). */
  addHashed(values: Iterable<string | undefined>): void {
    const secrets: string[] = [];
    for (const value of values) if (typeof value === "string" && value.length >= minimumLength) secrets.push(value);
    this.#hashed.add(secrets);
  }

  has(value: string): boolean {
    return this.#secrets.has(value) || this.#hashed.has(value);
  }

  /** Reads the environment again: values set after the first redaction (during init, say) become known. */
  rescanEnvironment(): void {
    if (this.#environment !== undefined) this.add(environmentSecrets(this.#environment));
  }

  redact(text: string): string {
    this.#loadEnvironment();
    let clean = this.#redactSecrets(text);
    // A known secret percent-encoded, as in a path or a query string an error quotes: the run of URL
    // characters that holds it is redacted whole (its encoded form is not known, only the decoded one).
    if (clean.includes("%")) clean = clean.replace(urlRun, (run) => this.#redactEncoded(run));
    // Most text (ids, routes, names, a model's reply) has nothing shaped like a secret: one test, no copies.
    if (!keyShaped.test(clean)) return clean;
    clean = clean
      .replace(openAIKey, "sk-[redacted]")
      .replace(stripeKey, "$1_$2_[redacted]")
      .replace(authorization, (match: string, scheme: string, space: string, token: string) =>
        isCredential(scheme, token) ? `${scheme}${space}[redacted]` : match,
      )
      .replace(urlUserInfo, "$1[redacted]@")
      .replace(secretSetting, (match: string, name: string, separator: string, value: string) =>
        keepsValue(name, value) ? match : `${name}${separator}${redactedValue(value)}`,
      );
    return clean;
  }

  /** The known secrets: the hashed ones, then the others. */
  #redactSecrets(text: string): string {
    const clean = this.#hashed.redact(text);
    return this.#lengthsByPrefix !== undefined
      ? this.#redactIndexed(clean, this.#lengthsByPrefix)
      : this.#redactKnown(clean);
  }

  #redactEncoded(run: string): string {
    if (!percentEscape.test(run)) return run;
    const decoded = run.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
      try {
        return decodeURIComponent(escapes);
      } catch {
        return escapes;
      }
    });
    return this.#redactSecrets(decoded) === decoded ? run : "[redacted]";
  }

  #redactKnown(text: string): string {
    if (this.#secrets.size === 0) return text;
    // One regular expression for every secret: 1000 of them cost about 3.5 us a log line here,
    // against 37 us for 1000 includes() (5: 0.1 against 0.3).
    this.#pattern ??= new RegExp(
      [...this.#secrets]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join("|"),
      "g",
    );
    this.#pattern.lastIndex = 0;
    return this.#pattern.test(text) ? text.replace(this.#pattern, "[redacted]") : text;
  }

  /** The longest known secret at each place, left to right, as the alternation would find them. */
  #redactIndexed(text: string, lengthsByPrefix: Map<string, number[]>): string {
    let clean = "";
    let copied = 0;
    for (let at = 0; at + minimumLength <= text.length; at++) {
      const lengths = lengthsByPrefix.get(text.substr(at, minimumLength));
      if (lengths === undefined) continue;
      const length = lengths.find(
        (candidate) => at + candidate <= text.length && this.#secrets.has(text.substr(at, candidate)),
      );
      if (length === undefined) continue;
      clean += `${text.slice(copied, at)}[redacted]`;
      copied = at + length;
      at = copied - 1;
    }
    return copied === 0 ? text : clean + text.slice(copied);
  }

  /**
   * A value with every string in it redacted, nested ones included, for a log entry or a tool's
   * output: redacted before it is serialised, since JSON escaping would hide a quoted secret.
   */
  redactValue(value: unknown): unknown {
    this.#loadEnvironment();
    return this.#redactValue(value, new Set(), 0);
  }

  #redactValue(value: unknown, path: Set<object>, depth: number): unknown {
    if (typeof value === "string") return this.redact(value);
    if (typeof value !== "object" || value === null) return value;
    // What JSON would write for it (a Date's string, a Buffer's bytes), as JSON.stringify would.
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return this.#redactValue(toJSON.call(value), path, depth);
    if (depth >= maximumDepth) return "[too deep]";
    if (path.has(value)) return "[cycle]";
    path.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.#redactValue(item, path, depth + 1));
      const clean: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) clean[key] = this.#redactValue(item, path, depth + 1);
      return clean;
    } finally {
      path.delete(value);
    }
  }

  /** A log entry with every string in it redacted (see `redactValue`). */
  redactEntry(entry: Record<string, unknown>): Record<string, unknown> {
    return this.redactValue(entry) as Record<string, unknown>;
  }

  #loadEnvironment(): void {
    if (this.#environmentRead) return;
    this.#environmentRead = true;
    this.rescanEnvironment();
  }
}

const minimumLength = 6;
const regexLimit = 256;
const maximumDepth = 64;

function index(lengthsByPrefix: Map<string, number[]>, secret: string): void {
  const prefix = secret.slice(0, minimumLength);
  const lengths = lengthsByPrefix.get(prefix);
  if (lengths === undefined) lengthsByPrefix.set(prefix, [secret.length]);
  else if (!lengths.includes(secret.length)) {
    lengths.push(secret.length);
    lengths.sort((a, b) => b - a);
  }
}

// Every pattern is linear in the text: no unbounded repetition that can start at each of many places.
// URL characters (RFC 3986's unreserved, reserved and `%`): a maximal run of them, each character in one run.
const urlRun = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g;
const percentEscape = /%[0-9A-Fa-f]{2}/;
const keyShaped =
  /\bsk-|\b[sr]k_(?:live|test)_|Bearer\s|Basic\s|:\/\/[^\s/?#"']{0,256}@|password|passwd|pwd|secret|api[_-]?key|token/i;
const openAIKey = /\bsk-[A-Za-z0-9_-]{8,}/g;
const stripeKey = /\b([sr]k)_(live|test)_[A-Za-z0-9]{8,}/g;
const authorization = /\b(Bearer|Basic)(\s{1,8})([A-Za-z0-9._~+/=-]{8,})/gi;
// The scheme is bounded: unbounded, `a.a.a.…` made each word boundary scan to the end (339 ms for
// 14 KB). The user info runs to its last `@`: a raw `@` in a password is taken with it.
const urlUserInfo = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#"'\\]{1,256}@/gi;
// `name=value`, or a member `"name": value`, where the name ends like a secret's: password,
// DB_PASSWORD, dbPassword, client_secret, clientSecret, api_key, refresh_token.
const secretSetting =
  /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{0,40}?(?:password|passwd|pwd|secret|api[_-]?key|token))(\s{0,4}=\s{0,4}|["']\s{0,4}[:=]\s{0,4})("(?:[^"\\\n]|\\.){0,512}"|'[^'\n]{0,512}'|(?!\[redacted\])[^\s"'&;,\\}\])>]{1,512})/gi;

/** "Bearer authentication" is prose; a basic credential is base64 of `user:password`. */
function isCredential(scheme: string, token: string): boolean {
  if (/^basic$/i.test(scheme)) return Buffer.from(token, "base64").toString("latin1").includes(":");
  return token.length >= 16 || /[0-9._~+/=-]/.test(token);
}

/** `"secret": true` is a JSON member, not a secret; `pwd=/home/me` is a working directory. */
function keepsValue(name: string, value: string): boolean {
  if (/^(?:true|false|null|-?\d+(?:\.\d+)?)$/.test(value)) return true;
  return /pwd$/i.test(name) && value.startsWith("/");
}

/** A quoted value keeps its quotes, so JSON stays JSON. */
function redactedValue(value: string): string {
  const quote = value[0];
  return quote === '"' || quote === "'" ? `${quote}[redacted]${quote}` : "[redacted]";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Names like OPENAI_API_KEY, AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, PGPASSWORD, DB_PASS; not PWD (the working directory).
const secretName = /PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE|(^|_)(API_?KEY|KEY|PASS)(_|$)/i;

/** The values of environment variables named like keys, tokens or passwords. */
export function environmentSecrets(environment: Readonly<Record<string, string | undefined>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(environment)) {
    if (value !== undefined && value.length >= minimumLength && secretName.test(name)) values.push(value);
  }
  return values;
}

/** Whether a credential's name says it is a secret (`apiKey`, `openaiKey`, `dbPassword`, `token`), not a setting (`model`, `baseURL`). */
export function isSecretName(name: string): boolean {
  return /key|token|secret|pass|pwd|credential|auth/i.test(name);
}

/** The process's redactor: what hearth itself uses for everything it lets out. */
export const processSecrets = new SecretRedactor({ environment: process.env });

/** Adds values that must never leave the process (a key from a vault, say) to every redaction hearth does. */
export function addSecrets(values: Iterable<string | undefined>): void {
  processSecrets.add(values);
}

/** Adds values hearth must recognise but never hold (the app's API keys): kept as digests (see `SecretRedactor.addHashed`). */
export function addHashedSecrets(values: Iterable<string | undefined>): void {
  processSecrets.addHashed(values);
}

/** Reads the environment again for values named like secrets: the runtime does it once its init has run. */
export function rescanEnvironmentSecrets(): void {
  processSecrets.rescanEnvironment();
}

/** Removes every known secret, and anything shaped like one, from a text that leaves the process. */
export function redact(text: string): string {
  return processSecrets.redact(text);
}

/** A value with every string in it redacted (see `SecretRedactor.redactValue`). */
export function redactValue(value: unknown): unknown {
  return processSecrets.redactValue(value);
}

/** A log entry with every secret in it removed (see `SecretRedactor.redactEntry`). */
export function redactEntry(entry: Record<string, unknown>): Record<string, unknown> {
  return processSecrets.redactEntry(entry);
}
