/**
 * The one redaction every outward text passes through: problem documents, server-sent errors, log
 * lines, readiness, the startup trace, and tool results before the model sees them or a session
 * stores them. It removes the secrets this process knows (added with `addSecrets`: the app's client
 * keys, model clients' keys, tenants' secret credentials; and environment values named like keys
 * or passwords) and anything shaped like one: `sk-` keys, bearer tokens, the user info of a URL,
 * `password=...`.
 *
 * The known secrets are process-wide on purpose: a secret is one wherever it shows up, and a tool
 * result or a provider error can quote it far from the code that configured it. They are kept for
 * the process's life (a rotated key stays known).
 */
export class SecretRedactor {
  /** The first known secrets, matched by one regular expression (made again when one is added). */
  readonly #few = new Set<string>();
  #fewPattern: RegExp | undefined;
  /**
   * Past `regexLimit` secrets (thousands of tenants' keys), more go to an index by their first six
   * characters: a regular expression of 10,000 alternatives took 535 ms to compile here, on every
   * new tenant; the index costs about 15 us a log line whatever its size, and nothing to add to.
   */
  readonly #many = new Map<string, string[]>();
  readonly #environment: Readonly<Record<string, string | undefined>> | undefined;
  #environmentRead = false;
  /** False once a secret holds a character JSON escapes: a log entry's JSON text would hide it. */
  #jsonSafe = true;

  /** `environment`: read at the first redaction, and again on `rescanEnvironment()`, for values named like keys and passwords. */
  constructor(options: { readonly environment?: Readonly<Record<string, string | undefined>> } = {}) {
    this.#environment = options.environment;
  }

  /** Values that must never leave the process. Shorter than 6 characters is ignored: it would redact ordinary words. */
  add(values: Iterable<string | undefined>): void {
    for (const value of values) {
      if (typeof value !== "string" || value.length < minimumLength || this.has(value)) continue;
      if (JSON.stringify(value) !== `"${value}"`) this.#jsonSafe = false;
      if (this.#few.size < regexLimit) {
        this.#few.add(value);
        this.#fewPattern = undefined;
        continue;
      }
      const prefix = value.slice(0, minimumLength);
      const bucket = this.#many.get(prefix);
      if (bucket === undefined) this.#many.set(prefix, [value]);
      else bucket.push(value);
    }
  }

  has(value: string): boolean {
    return this.#few.has(value) || (this.#many.get(value.slice(0, minimumLength))?.includes(value) ?? false);
  }

  /** Reads the environment again: values set after the first redaction (during init, say) become known. */
  rescanEnvironment(): void {
    if (this.#environment !== undefined) this.add(environmentSecrets(this.#environment));
  }

  redact(text: string): string {
    this.#loadEnvironment();
    let clean = text;
    if (this.#few.size > 0) {
      // One regular expression for every secret: 1000 of them cost about 3.5 us a log line here,
      // against 37 us for 1000 includes() (5: 0.1 against 0.3).
      this.#fewPattern ??= new RegExp([...this.#few].sort((a, b) => b.length - a.length).map(escapeRegExp).join("|"), "g");
      this.#fewPattern.lastIndex = 0;
      if (this.#fewPattern.test(clean)) clean = clean.replace(this.#fewPattern, "[redacted]");
    }
    if (this.#many.size > 0) clean = this.#redactMany(clean);
    // Most text (ids, routes, names, a model's reply) has nothing key-shaped: one test, no copies.
    if (!keyShaped.test(clean)) return clean;
    return clean
      .replace(/\b(sk|rk|pk)-[A-Za-z0-9_-]{8,}/g, "$1-[redacted]")
      .replace(bearerToken, (match: string, prefix: string, token: string) => (looksLikeToken(token) ? `${prefix}[redacted]` : match))
      .replace(urlUserInfo, "$1[redacted]@")
      .replace(secretSetting, (match: string, name: string, separator: string, value: string) => (isJsonLiteral(value) ? match : `${name}${separator}${redactedValue(value)}`));
  }

  #redactMany(text: string): string {
    let clean = "";
    let copied = 0;
    for (let index = 0; index + minimumLength <= text.length; index++) {
      const bucket = this.#many.get(text.substr(index, minimumLength));
      if (bucket === undefined) continue;
      let longest = "";
      for (const secret of bucket) if (secret.length > longest.length && text.startsWith(secret, index)) longest = secret;
      if (longest === "") continue;
      clean += `${text.slice(copied, index)}[redacted]`;
      copied = index + longest.length;
      index = copied - 1;
    }
    return copied === 0 ? text : clean + text.slice(copied);
  }

  /**
   * A log entry with every string in it, nested ones included, redacted. An entry whose JSON text
   * holds nothing key-shaped is returned as it is.
   */
  redactEntry(entry: Record<string, unknown>): Record<string, unknown> {
    this.#loadEnvironment();
    const text = jsonOf(entry);
    // JSON text escapes quotes and whitespace that the patterns look for: anything key-shaped takes the string-by-string path.
    if (this.#jsonSafe && text !== undefined && !keyShaped.test(text) && !/Bearer\\/i.test(text) && this.redact(text) === text) return entry;
    return this.#redactValue(entry, new WeakSet()) as Record<string, unknown>;
  }

  #redactValue(value: unknown, seen: WeakSet<object>): unknown {
    if (typeof value === "string") return this.redact(value);
    if (typeof value !== "object" || value === null) return value;
    if (seen.has(value)) return "[cycle]";
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.#redactValue(item, seen));
    const clean: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) clean[key] = this.#redactValue(item, seen);
    return clean;
  }

  #loadEnvironment(): void {
    if (this.#environmentRead) return;
    this.#environmentRead = true;
    this.rescanEnvironment();
  }
}

const minimumLength = 6;
const regexLimit = 256;

// Every pattern is linear in the text: no unbounded repetition that can start at each of many places.
const keyShaped = /\b(?:sk|rk|pk)-|Bearer\s|:\/\/[^\s/?#@"']{0,256}@|password|passwd|pwd|secret|api[_-]?key|access[_-]?token/i;
const bearerToken = /(Bearer\s{1,8})([A-Za-z0-9._~+/=-]{8,})/gi;
// The scheme is bounded: unbounded, `a.a.a.…` made each word boundary scan to the end (339 ms for 14 KB).
const urlUserInfo = /\b([a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#@"'\\]{1,256}@/gi;
// `name=value`, or a JSON member `"name": value`; names after `_` too (DB_PASSWORD=, client_secret=).
const secretSetting = /(?<![A-Za-z0-9])(password|passwd|pwd|secret|api[_-]?key|access[_-]?token)(\s{0,4}=\s{0,4}|["']\s{0,4}[:=]\s{0,4})("(?:[^"\\\n]|\\.){0,512}"|'[^'\n]{0,512}'|(?!\[redacted\])[^\s"'&;,\\}\])>]{1,512})/gi;

/** A bearer "token" that is an ordinary word ("Bearer authentication") is left alone. */
function looksLikeToken(token: string): boolean {
  return token.length >= 16 || /[0-9._~+/=-]/.test(token);
}

/** `"secret": true` is a JSON member, not a secret. */
function isJsonLiteral(value: string): boolean {
  return /^(?:true|false|null|-?\d+(?:\.\d+)?)$/.test(value);
}

/** A quoted value keeps its quotes, so JSON stays JSON. */
function redactedValue(value: string): string {
  const quote = value[0];
  return quote === '"' || quote === "'" ? `${quote}[redacted]${quote}` : "[redacted]";
}

function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // a BigInt or a cycle
  }
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

/** Reads the environment again for values named like secrets: the runtime does it once its init has run. */
export function rescanEnvironmentSecrets(): void {
  processSecrets.rescanEnvironment();
}

/** Removes every known secret, and anything shaped like one, from a text that leaves the process. */
export function redact(text: string): string {
  return processSecrets.redact(text);
}

/** A log entry with every secret in it removed (see `SecretRedactor.redactEntry`). */
export function redactEntry(entry: Record<string, unknown>): Record<string, unknown> {
  return processSecrets.redactEntry(entry);
}
