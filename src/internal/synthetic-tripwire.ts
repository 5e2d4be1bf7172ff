import { flagScope } from "./flag-scope.ts";

// The one ambient flag left: a synthetic warm-up run is told so through its RunContext, and every
// step of hearth's reads it there. This is the last line of defence for what no context reaches (a
// model client called by a tool, say): a call to the network from inside a synthetic run is refused.
const scope = flagScope();

/** Runs `work` with network calls from model clients refused, for everything it starts. */
export function withNetworkRefused<T>(work: () => T): T {
  return scope.run(work);
}

/** Whether the caller runs where network calls are refused. */
export function networkRefused(): boolean {
  return scope.active();
}
