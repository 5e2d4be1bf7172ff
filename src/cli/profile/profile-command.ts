import { UserError } from "../../core/errors.ts";
import { budgetTable, checkBudget, defaultTolerance, parseBudget } from "./budget.ts";
import { htmlReport, textReport } from "./report.ts";
import { profileApp, type ProfileOptions, type ProfileSummary } from "./run-profile.ts";

export interface ProfileCommandOptions {
  readonly file: string;
  readonly runs: number;
  readonly message: string;
  readonly agent?: string;
  readonly warmRequests: number;
  /** Also profile without tools, side by side. */
  readonly compareNoTools: boolean;
  readonly html?: string;
  readonly json?: string;
  /** Serve hearth's mock model server to the app: "" for echo replies, or "module.ts#export" for a responder. */
  readonly mock?: string;
  /** One of the app's API keys (HEARTH_API_KEY), for an app that has them. */
  readonly apiKey?: string;
}

/** Starts hearth's mock model server for the profiled app, when asked; returns its environment. */
async function mockEnvironment(
  mock: string | undefined,
): Promise<{ env: Record<string, string>; close: () => Promise<void> }> {
  if (mock === undefined) return { env: {}, close: async () => undefined };
  const { startMockOpenAIServer } = await import("../../testing/mock-openai-server.ts");
  const { loadResponder } = await import("../responder.ts");
  const respond = await loadResponder(mock, "--mock");
  const server = await startMockOpenAIServer(respond === undefined ? {} : { respond });
  return { env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-profile-mock" }, close: () => server.close() };
}

export async function runProfiles(
  options: ProfileCommandOptions,
): Promise<{ summary: ProfileSummary; noTools?: ProfileSummary }> {
  const { env, close } = await mockEnvironment(options.mock);
  try {
    const base: ProfileOptions = {
      file: options.file,
      runs: options.runs,
      message: options.message,
      warmRequests: options.warmRequests,
      noTools: false,
      env,
      ...(options.agent === undefined ? {} : { agent: options.agent }),
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    };
    const summary = await profileApp(base);
    const noTools = options.compareNoTools ? await profileApp({ ...base, noTools: true }) : undefined;
    return noTools === undefined ? { summary } : { summary, noTools };
  } finally {
    await close();
  }
}

export async function profileCommand(options: ProfileCommandOptions): Promise<number> {
  const { writeFileSync } = process.getBuiltinModule("node:fs");
  const { summary, noTools } = await runProfiles(options);
  process.stdout.write(textReport(summary, noTools));
  if (options.html !== undefined) {
    writeFileSync(options.html, htmlReport(summary, noTools));
    process.stdout.write(`\nHTML report: ${options.html}\n`);
  }
  if (options.json !== undefined) {
    writeFileSync(options.json, `${JSON.stringify({ summary, noTools }, null, 2)}\n`);
    process.stdout.write(`JSON: ${options.json}\n`);
  }
  return 0;
}

export async function checkCommand(
  options: ProfileCommandOptions & { readonly budgetFile: string; readonly tolerance?: number },
): Promise<number> {
  const { readFileSync } = process.getBuiltinModule("node:fs");
  let text: string;
  try {
    text = readFileSync(options.budgetFile, "utf8");
  } catch (cause) {
    throw new UserError(`Cannot read the budget ${options.budgetFile}.`, { field: "--budget", cause });
  }
  const budget = parseBudget(text, options.budgetFile);
  const { summary } = await runProfiles({ ...options, compareNoTools: false });
  const lines = checkBudget(summary, budget, options.tolerance);
  const over = lines.filter((line) => !line.ok);
  const tolerance = options.tolerance ?? budget.tolerance ?? defaultTolerance;
  process.stdout.write(
    `hearth check: ${summary.app}, ${summary.runs} cold start${summary.runs === 1 ? "" : "s"} (medians) against ${options.budgetFile}, tolerance ${Math.round(tolerance * 100)}%\n${budgetTable(lines)}`,
  );
  process.stdout.write(over.length === 0 ? "within budget\n" : `${over.length} over budget\n`);
  return over.length === 0 ? 0 : 1;
}
