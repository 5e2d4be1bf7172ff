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
  /**
   * How far over its budget a median may be before it counts as over, as a fraction (0.1: 10%).
   * Default 0.1: a median of a few cold starts still moves by several percent on a shared machine.
   */
  readonly tolerance?: number;
}

export const defaultTolerance = 0.1;

export interface BudgetLine {
  readonly metric: string;
  readonly measured: number;
  readonly budget: number;
  /** The budget with the tolerance: what the measurement is held to. */
  readonly limit: number;
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
    if (key === "tolerance") {
      checkTolerance(budget.tolerance, `The budget's "tolerance"`, "budget.tolerance");
      continue;
    }
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
        `The budget has an unknown field "${key}" (known: ${[...scalarKeys, "imports", "tolerance"].join(", ")}).`,
        { field: `budget.${key}` },
      );
    if (typeof budget[key] !== "number" || (budget[key] as number) < 0)
      throw new UserError(`The budget's "${key}" must be a number, 0 or more.`, { field: `budget.${key}` });
  }
  return budget as Budget;
}

/** A tolerance must be a fraction from 0 to 1 (0.1 is 10%). */
export function checkTolerance(value: unknown, what: string, field: string): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UserError(`${what} must be a fraction from 0 to 1 (0.1 is 10%).`, { field });
}

/** Each budgeted figure's median against its budget, with the tolerance (`--tolerance`, then the budget's, then 10%). */
export function checkBudget(summary: ProfileSummary, budget: Budget, tolerance?: number): BudgetLine[] {
  const slack = 1 + (tolerance ?? budget.tolerance ?? defaultTolerance);
  const line = (metric: string, measured: number, limit: number): BudgetLine => {
    const withTolerance = Math.round(limit * slack * 100) / 100;
    return { metric, measured, budget: limit, limit: withTolerance, ok: measured <= withTolerance };
  };
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
    lines.push(line(key, value, limit));
  }
  for (const [name, limit] of Object.entries(budget.imports ?? {})) {
    const value = summary.imports[name] ?? 0;
    lines.push(line(`import ${name}`, value, limit));
  }
  return lines;
}

export function budgetTable(lines: readonly BudgetLine[]): string {
  const rows = lines.map(
    (line) =>
      `  ${line.ok ? "ok  " : "OVER"}  ${line.metric.padEnd(28)} ${String(line.measured).padStart(10)} ${`<= ${line.budget}`.padStart(12)} ${String(line.limit).padStart(12)}`,
  );
  return `${["  status metric                         measured       budget  + tolerance", ...rows].join("\n")}\n`;
}
