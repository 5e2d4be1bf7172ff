// Run as a separate process: loads a saved swarm session from a file, answers as the user, and
// prints the run's result as JSON.
import { readFileSync } from "node:fs";
import { ConnectionPools } from "hearth";
import { supportSwarm } from "./support-swarm.ts";

const [file, baseURL, answer] = process.argv.slice(2);
if (file === undefined || baseURL === undefined || answer === undefined)
  throw new Error("usage: resume-support-swarm <state.json> <baseURL> <answer>");
const pools = new ConnectionPools();
const team = supportSwarm(baseURL, pools);
const session = team.loadState(readFileSync(file, "utf8"));
const result = await team.run({ task: answer, session });
pools.close();
process.stdout.write(JSON.stringify({ result, session: session.toJSON() }));
