// npm run chaos: hearth under load and faults, each scenario printing its figures and, in the full
// run, writing them into docs/reliability.md. Loopback only, bounded in count and time, stopping by
// itself. CHAOS_SHORT=1 runs each briefly (CI); CHAOS_ONLY=name[,name] runs some. Exits 1 when a
// scenario saw one of its promises broken.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { hostileClients } from "./scenarios/hostile-clients.ts";
import { overload } from "./scenarios/overload.ts";
import { providerFaults } from "./scenarios/provider-faults.ts";
import { redisRestart } from "./scenarios/redis-restart.ts";
import { reload } from "./scenarios/reload.ts";
import { soak } from "./scenarios/soak.ts";
import { sqliteFaults } from "./scenarios/sqlite-faults.ts";
import { type Scenario, short } from "./support.ts";

const scenarios: readonly Scenario[] = [providerFaults, redisRestart, sqliteFaults, overload, hostileClients, reload, soak];

const only = process.env.CHAOS_ONLY?.split(",").filter(Boolean);
const unknown = only?.filter((name) => !scenarios.some((scenario) => scenario.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`chaos: no scenario ${unknown.join(", ")}; there are ${scenarios.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const machine = `Node ${process.version}, ${cpus().length} cores`;
console.error(`chaos: ${short ? "short" : "full"} run, ${machine}`);
const docs = new URL("../docs/reliability.md", import.meta.url);
let failed = false;
for (const scenario of scenarios.filter((scenario) => only === undefined || only.includes(scenario.name))) {
  const started = performance.now();
  const result = await scenario.run();
  if (result.skipped !== undefined) {
    console.log(`SKIPPED ${scenario.name}: ${result.skipped}`);
    continue;
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const section = [
    `### ${scenario.title} (${new Date().toISOString().slice(0, 10)}, ${machine})`,
    "",
    result.setup,
    "",
    result.table,
  ].join("\n");
  console.log(`\n## ${scenario.name} (${seconds} s)\n\n${section}\n`);
  for (const promise of result.broken) console.log(`BROKEN ${scenario.name}: ${promise}`);
  if (result.broken.length > 0) failed = true;
  else console.log(`HELD ${scenario.name}`);
  if (!short) writeSection(scenario.name, section);
}
if (failed) process.exitCode = 1;

/** Puts the section between its scenario's markers in docs/reliability.md (which must have them). */
function writeSection(name: string, section: string): void {
  const text = readFileSync(docs, "utf8");
  const start = `<!-- chaos:${name} -->`;
  const end = `<!-- /chaos:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) {
    console.error(`chaos: docs/reliability.md has no ${start} ... ${end}; the figures above were not written`);
    return;
  }
  writeFileSync(docs, `${text.slice(0, from + start.length)}\n${section}\n${text.slice(to)}`);
}
