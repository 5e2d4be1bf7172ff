import { UserError } from "./errors.ts";

/**
 * The names a constructor's options object may hold: hearth's own, and AutoGen's (camel-cased)
 * where they differ. An alias is AutoGen's name for a hearth option that takes the same value; a
 * refusal is an AutoGen option hearth does not have, with why and what to do instead.
 */
export interface OptionNames {
  readonly accepted: readonly string[];
  /** AutoGen's name → hearth's: `terminationCondition` → `termination`. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** AutoGen's name → why hearth has no such option (a sentence, ending with what to do instead). */
  readonly refused?: Readonly<Record<string, string>>;
}

/**
 * Checks a constructor's options before anything is built: an unknown name, a refused AutoGen
 * option, or an alias given together with hearth's name is a UserError naming it. Returns the
 * options with AutoGen's aliases renamed to hearth's names (the same object when none was used).
 * A value that is not an object is returned as it is, for the constructor's own check to report.
 * Run once per construction: a plain loop over the given keys, no allocation unless an alias is used.
 */
export function knownOptions<Options>(className: string, options: Options, names: OptionNames): Options {
  if (typeof options !== "object" || options === null) return options;
  const given = options as Record<string, unknown>;
  let renamed: Record<string, unknown> | undefined;
  for (const key of Object.keys(given)) {
    if (names.accepted.includes(key)) continue;
    const target = names.aliases !== undefined && Object.hasOwn(names.aliases, key) ? names.aliases[key] : undefined;
    if (target === undefined) throw rejection(className, given, key, names);
    if (Object.hasOwn(given, target))
      throw new UserError(
        `${where(className, given)}: give "${target}" or AutoGen's name for it, "${key}", not both.`,
        { field: key },
      );
    renamed ??= { ...given };
    renamed[target] = renamed[key];
    delete renamed[key];
  }
  return (renamed ?? options) as Options;
}

/**
 * The accepted names of an options interface, checked by the compiler to list every key of it: an
 * option added to the interface but not here fails the type-check, naming the missing key. Names
 * beyond the interface (one another part is adding) are allowed.
 */
export function optionNames<Options>() {
  return <const Names extends readonly string[]>(
    accepted: Names &
      ([Exclude<keyof Options, Names[number]>] extends [never]
        ? unknown
        : { readonly missingOptions: Exclude<keyof Options, Names[number]> }),
  ): Names => accepted;
}

function where(className: string, options: Record<string, unknown>): string {
  return typeof options.name === "string" ? `${className} "${options.name}"` : className;
}

function rejection(className: string, options: Record<string, unknown>, key: string, names: OptionNames): UserError {
  const at = where(className, options);
  const reason = names.refused !== undefined && Object.hasOwn(names.refused, key) ? names.refused[key] : undefined;
  if (reason !== undefined)
    return new UserError(`${at}: AutoGen's option "${key}" is not supported. ${reason}`, { field: key });
  const suggestion = closest(key, names);
  let hint: string;
  if (suggestion === undefined) hint = `Its options are: ${names.accepted.join(", ")}.`;
  else if (suggestion.refusal !== undefined)
    hint = `AutoGen's "${suggestion.autogen}" is not supported. ${suggestion.refusal}`;
  else if (suggestion.autogen !== undefined)
    hint = `Did you mean "${suggestion.name}" (AutoGen's "${suggestion.autogen}")?`;
  else hint = `Did you mean "${suggestion.name}"?`;
  return new UserError(`${at} has no option "${key}". ${hint}`, { field: key });
}

interface Suggestion {
  readonly name: string;
  /** The AutoGen name that was nearest, when it was one. */
  readonly autogen?: string;
  /** Why that AutoGen name is refused, when it is. */
  readonly refusal?: string;
}

/**
 * The accepted or AutoGen name nearest to `key`, compared without case and underscores (so
 * `max_turns` finds `maxTurns`), within an edit distance that grows with the name's length, or
 * starting with it.
 */
function closest(key: string, names: OptionNames): Suggestion | undefined {
  const wanted = normalized(key);
  const candidates: Suggestion[] = names.accepted.map((name) => ({ name }));
  for (const [autogen, name] of Object.entries(names.aliases ?? {})) candidates.push({ name, autogen });
  for (const [autogen, refusal] of Object.entries(names.refused ?? {}))
    candidates.push({ name: autogen, autogen, refusal });
  let best: Suggestion | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 4)) + 1;
  for (const candidate of candidates) {
    const name = normalized(candidate.autogen ?? candidate.name);
    // One name inside the start of the other (`inputFunction`, `inputFunc`) is as near as one edit.
    const prefixed = Math.min(wanted.length, name.length) >= 4 && (wanted.startsWith(name) || name.startsWith(wanted));
    const distance = prefixed ? Math.min(1, editDistance(wanted, name)) : editDistance(wanted, name);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function normalized(name: string): string {
  return name.replaceAll("_", "").toLowerCase();
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
