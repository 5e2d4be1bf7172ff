// npm run mutate: plants each bug of scripts/mutants.ts, one at a time, in a copy of the sources,
// runs the tests named beside it, and reports which were caught. Exit 1 when a mutant that changes
// behaviour survives, or when a mutant no longer applies (its code moved: update the list).
// Outside `npm test`: it runs the chosen test files once per mutant (about 2 to 4 minutes here).
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mutants, type Mutant } from "./mutants.ts";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
const chosen = only.length === 0 ? mutants : mutants.filter((mutant) => only.includes(mutant.id));
const parallel = Math.max(1, Number(process.env.MUTATE_PARALLEL ?? 2));
const timeoutMs = Number(process.env.MUTATE_TIMEOUT_MS ?? 180_000);

type Outcome = "killed" | "survived" | "stale" | "timeout";

/** A private copy of what the tests need, so a planted bug never touches the checkout. */
function copyOfRepo(): string {
  const copy = mkdtempSync(join(tmpdir(), "hearth-mutant-"));
  for (const entry of ["src", "test", "examples", "package.json", "tsconfig.json"])
    cpSync(join(root, entry), join(copy, entry), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(copy, "node_modules"));
  return copy;
}

/** Runs test files; `failed` names the tests that failed (from the TAP report), so a catch can be checked for its reason. */
function runTests(
  directory: string,
  tests: readonly string[],
): Promise<{ code: number | null; timedOut: boolean; failed: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--conditions=@hearth/source", "--test", "--test-reporter=tap", ...tests], {
      cwd: directory,
      stdio: ["ignore", "pipe", "ignore"],
    });
    let report = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (report += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Leaf tests only: a failing suite or file repeats its failing test's name.
      const failed = [...report.matchAll(/^\s*not ok \d+ - (.+)$/gm)]
        .map((match) => (match[1] ?? "").trim())
        .filter((name) => !name.endsWith(".ts") && !tests.some((file) => name.includes(file)));
      resolve({ code, timedOut: signal === "SIGKILL", failed });
    });
  });
}

async function tryMutant(mutant: Mutant): Promise<{ mutant: Mutant; outcome: Outcome; ms: number; failed: string[] }> {
  const started = performance.now();
  const directory = copyOfRepo();
  try {
    const file = join(directory, mutant.file);
    const source = readFileSync(file, "utf8");
    const at = source.indexOf(mutant.find);
    if (at === -1 || source.indexOf(mutant.find, at + 1) !== -1) return { mutant, outcome: "stale", ms: 0, failed: [] };
    writeFileSync(file, source.slice(0, at) + mutant.replace + source.slice(at + mutant.find.length));
    const { code, timedOut, failed } = await runTests(directory, mutant.tests);
    return {
      mutant,
      outcome: timedOut ? "timeout" : code === 0 ? "survived" : "killed",
      ms: performance.now() - started,
      failed,
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const started = performance.now();
// Every chosen test file must pass as it is: otherwise each mutant would look caught.
const baseline = copyOfRepo();
try {
  const files = [...new Set(chosen.flatMap((mutant) => mutant.tests))];
  const { code } = await runTests(baseline, files);
  if (code !== 0) {
    process.stderr.write(`npm run mutate: the tests fail without any mutant (${files.join(", ")}); fix them first.\n`);
    process.exit(2);
  }
} finally {
  rmSync(baseline, { recursive: true, force: true });
}
process.stdout.write(`baseline: the tests pass unmutated; ${chosen.length} mutants, ${parallel} at a time\n`);
const queue = [...chosen];
const results: Awaited<ReturnType<typeof tryMutant>>[] = [];
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let mutant = queue.shift(); mutant !== undefined; mutant = queue.shift()) {
      const result = await tryMutant(mutant);
      results.push(result);
      const mark =
        result.outcome === "killed"
          ? "caught  "
          : result.outcome === "survived"
            ? mutant.equivalent === undefined
              ? "SURVIVED"
              : "equivalent"
            : result.outcome.toUpperCase();
      // The first test that failed: read it to see that the mutant was caught for its own reason.
      const by = result.outcome === "killed" ? `  by: ${result.failed[0] ?? "(a file that did not load)"}` : "";
      process.stdout.write(
        `${mark.padEnd(10)} ${mutant.id.padEnd(34)} ${(result.ms / 1000).toFixed(1).padStart(5)} s${by}\n`,
      );
    }
  }),
);

const counted = results.filter((result) => result.mutant.equivalent === undefined && result.outcome !== "stale");
const killed = counted.filter((result) => result.outcome === "killed" || result.outcome === "timeout").length;
const survivors = counted.filter((result) => result.outcome === "survived");
const stale = results.filter((result) => result.outcome === "stale");
const equivalents = results.filter((result) => result.mutant.equivalent !== undefined);
process.stdout.write(
  `\nmutation score: ${killed} of ${counted.length} caught (${((killed / Math.max(1, counted.length)) * 100).toFixed(0)}%), in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
);
for (const result of equivalents)
  process.stdout.write(
    `equivalent, not counted: ${result.mutant.id} (${result.outcome}): ${result.mutant.equivalent}\n`,
  );
for (const result of survivors)
  process.stdout.write(
    `SURVIVED: ${result.mutant.id} in ${result.mutant.file}: no test in ${result.mutant.tests.join(", ")} failed\n`,
  );
for (const result of stale)
  process.stdout.write(
    `STALE: ${result.mutant.id}: its code is not in ${result.mutant.file} exactly once; update scripts/mutants.ts\n`,
  );
process.exitCode = survivors.length > 0 || stale.length > 0 ? 1 : 0;
