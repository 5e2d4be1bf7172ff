/**
 * Secrets the redactor recognises without holding them: the app's API keys, which hearth needs for
 * nothing but recognising (auth looks them up by digest too: server/auth.ts). For each key it keeps
 * its length, its SHA-256 digest and a 16-bit fingerprint (the high bits of a rolling hash of it).
 *
 * A text is scanned once per distinct key length with the rolling hash, a few nanoseconds a
 * character; only where the fingerprint matches (about one place in 65,536 per key) is the text
 * there hashed with SHA-256 and its digest looked up. So a key is found wherever it appears, as a
 * known raw secret is, while a copy of the process's memory holds no key: what it holds lets a
 * guess be checked, as the digest alone does, and the fingerprint spares a guesser one SHA-256 in
 * 65,536 (16 of a key's bits; a key of 128 random bits keeps 112, and a weak key is weak either way).
 */
export class HashedSecrets {
  readonly #byLength = new Map<number, KeysOfLength>();

  get size(): number {
    let size = 0;
    for (const keys of this.#byLength.values()) size += keys.digests.size;
    return size;
  }

  add(values: Iterable<string>): void {
    for (const value of values) {
      if (value === "") continue;
      let keys = this.#byLength.get(value.length);
      if (keys === undefined) {
        keys = { power: powerOf(value.length), fingerprints: new Uint8Array(8192), digests: new Set() };
        this.#byLength.set(value.length, keys);
      }
      const fingerprint = rollingHash(value, value.length) >>> 16;
      keys.fingerprints[fingerprint >> 3] = (keys.fingerprints[fingerprint >> 3] as number) | (1 << (fingerprint & 7));
      keys.digests.add(digestOf(value));
    }
  }

  has(value: string): boolean {
    return this.#byLength.get(value.length)?.digests.has(digestOf(value)) === true;
  }

  /** The text with every known key in it replaced by `[redacted]`: the longest at each place, left to right. */
  redact(text: string): string {
    const found: [number, number][] = [];
    for (const [length, keys] of this.#byLength) if (text.length >= length) scan(text, length, keys, found);
    if (found.length === 0) return text;
    found.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let clean = "";
    let copied = 0;
    for (const [start, end] of found) {
      if (start < copied) continue;
      clean += `${text.slice(copied, start)}[redacted]`;
      copied = end;
    }
    return clean + text.slice(copied);
  }
}

interface KeysOfLength {
  /** base^(length - 1) modulo 2^32: what the character leaving the window weighed in its hash. */
  readonly power: number;
  /** A bit for each 16-bit fingerprint a key of this length has. */
  readonly fingerprints: Uint8Array;
  readonly digests: Set<string>;
}

// A polynomial hash modulo 2^32 (Math.imul wraps as the arithmetic needs); the fingerprint is its
// high 16 bits, which every bit of every character reaches.
const base = 0x9e3779b1;

function rollingHash(text: string, length: number): number {
  let hash = 0;
  for (let at = 0; at < length; at++) hash = (Math.imul(hash, base) + text.charCodeAt(at)) | 0;
  return hash;
}

function powerOf(length: number): number {
  let power = 1;
  for (let step = 1; step < length; step++) power = Math.imul(power, base);
  return power;
}

/** Adds [start, end) of each place in the text where a key of this length is. */
function scan(text: string, length: number, keys: KeysOfLength, found: [number, number][]): void {
  const { power, fingerprints, digests } = keys;
  let hash = rollingHash(text, length);
  for (let at = 0; ; at++) {
    const fingerprint = hash >>> 16;
    if (
      ((fingerprints[fingerprint >> 3] as number) & (1 << (fingerprint & 7))) !== 0 &&
      digests.has(digestOf(text.slice(at, at + length)))
    )
      found.push([at, at + length]);
    if (at + length >= text.length) return;
    hash = (hash - Math.imul(text.charCodeAt(at), power)) | 0;
    hash = (Math.imul(hash, base) + text.charCodeAt(at + length)) | 0;
  }
}

/** A secret's SHA-256 digest, in hex: how hearth knows an API key (here and in server/auth.ts). */
export function digestOf(value: string): string {
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(value).digest("hex");
}
