import { UserError } from "../../core/errors.ts";
import type { ProfileSummary } from "./run-profile.ts";

/** What `hearth check` holds an app to; every field is optional. Medians are compared. */
export interface Budget {
  readonly spawnToReadyMs?: number;
  readonly spawnToFirstReplyMs?: number;
  readonly firstRequestMs?: number;
  readonly firstToWarmRatio?: number;
  readonly rssMb?: number;
  readonly constructionsAfterReady?: number;
  /** CPU ms while loading, by package name (as `hearth profile` lists them). */
  readonly imports?: Readonly<Record<string, number>>;
}

export interface BudgetLine {
  readonly metric: string;
  readonly measured: number;
  readonly budget: number;
  readonly ok: boolean;
}

const scalarKeys = [
  "spawnToReadyMs",
  "spawnToFirstReplyMs",
  "firstRequestMs",
  "firstToWarmRatio",
  "rssMb",
  "constructionsAfterReady",
] as const;

export function parseBudget(text: string, file: string): Budget {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new UserError(`The budget ${file} is not valid JSON.`, { field: "budget", cause });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new UserError(`The budget ${file} must be a JSON object.`, { field: "budget" });
  const budget = json as Record<string, unknown>;
  for (const key of Object.keys(budget)) {
    if (key === "$comment") continue;
    if (key === "imports") {
      const imports = budget.imports;
      if (
        typeof imports !== "object" ||
        imports === null ||
        Object.values(imports).some((value) => typeof value !== "number" || value < 0)
      ) {
        throw new UserError(`The budget's "imports" must map package names to milliseconds.`, {
          field: "budget.imports",
        });
      }
      continue;
    }
    if (!(scalarKeys as readonly string[]).includes(key))
      throw new UserError(
        `The budget has an unknown field "${key}" (known: ${[...scalarKeys, "imports"].join(", ")}).`,
        { field: `budget.${key}` },
      );
    if (typeof budget[key] !== "number" || (budget[key] as number) < 0)
      throw new UserError(`The budget's "${key}" must be a number, 0 or more.`, { field: `budget.${key}` });
  }
  return budget as Budget;
}

/** Each budgeted figure against its measurement. */
export function checkBudget(summary: ProfileSummary, budget: Budget): BudgetLine[] {
  const measured: Record<(typeof scalarKeys)[number], number | undefined> = {
    spawnToReadyMs: summary.spawnToReadyMs.median,
    spawnToFirstReplyMs: summary.spawnToFirstReplyMs.median,
    firstRequestMs: summary.firstRequestMs.median,
    firstToWarmRatio: summary.firstToWarmRatio,
    rssMb: summary.rssMb?.median,
    constructionsAfterReady: summary.constructionsAfterReady,
  };
  const lines: BudgetLine[] = [];
  for (const key of scalarKeys) {
    const limit = budget[key];
    const value = measured[key];
    if (limit === undefined || value === undefined) continue;
    lines.push({ metric: key, measured: value, budget: limit, ok: value <= limit });
  }
  for (const [name, limit] of Object.entries(budget.imports ?? {})) {
    const value = summary.imports[name] ?? 0;
    lines.push({ metric: `import ${name}`, measured: value, budget: limit, ok: value <= limit });
  }
  return lines;
}

export function budgetTable(lines: readonly BudgetLine[]): string {
  const rows = lines.map(
    (line) =>
      `  ${line.ok ? "ok  " : "OVER"}  ${line.metric.padEnd(28)} ${String(line.measured).padStart(10)} ${`<= ${line.budget}`.padStart(12)}`,
  );
  return `${["  status metric                         measured       budget", ...rows].join("\n")}\n`;
}
