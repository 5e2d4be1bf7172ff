import { errorMessage } from "../internal/error-message.ts";
import type { ChatAgent } from "../core/agent.ts";
import type { Team } from "../core/team.ts";
import type { AnyTool } from "../core/tool.ts";
import { Session } from "../core/session.ts";
import type { Logger } from "../internal/log.ts";
import { errorSummary, type StartupTrace } from "./startup-trace.ts";
import { syntheticRun } from "../core/run-context.ts";
import { isWarmable } from "../core/synthetic.ts";
import { isInnerTeam } from "../core/inner-team.ts";
import { withNetworkRefused } from "../internal/synthetic-tripwire.ts";

function modelClientOf(value: unknown): unknown {
  return (value as { modelClient?: unknown }).modelClient;
}

/**
 * Only agents whose model the runtime can stub take a synthetic turn: nothing reaches a provider or
 * a person. A SocietyOfMindAgent's inner team must be warmable too.
 */
function canWarm(agent: ChatAgent): boolean {
  const team = (agent as { team?: unknown }).team;
  return isWarmable(modelClientOf(agent)) && (!isInnerTeam(team) || canWarmTeam(team));
}

/** A team whose every agent, in it or in a team among its members, and whose selector can be stubbed. */
function canWarmTeam(team: Team): boolean {
  const participants = (team as { participants?: readonly (ChatAgent | Team)[] }).participants ?? [];
  const selector = modelClientOf(team);
  return (
    participants.length > 0 &&
    participants.every((member) => (isInnerTeam(member) ? canWarmTeam(member) : canWarm(member as ChatAgent))) &&
    (selector === undefined || isWarmable(selector))
  );
}

/** Whether a synthetic turn through this agent or team stays off the network (every model it calls is stubbed). */
export function canWarmRunner(runner: ChatAgent | Team, kind: "agent" | "team"): boolean {
  return kind === "team" ? canWarmTeam(runner as Team) : canWarm(runner as ChatAgent);
}

/**
 * One synthetic turn through each agent and team before ready: the real request path (the agent
 * loop, message and session handling, serialisation, tool argument checks) runs once, in a run
 * whose context says it is synthetic (models answer from a stub), in a throwaway session. What the first user's request would pay for lazily, JIT and
 * first-use initialisation, is paid here instead. `extra` are synthetic warm-ups of the serving
 * layer's own (the Node server's requests to itself), run alongside. Failures are recorded (in
 * `trace`: none when keep-warm runs them again after ready), never fatal.
 */
export async function runSyntheticTurns(
  agents: Readonly<Record<string, ChatAgent>>,
  teams: Readonly<Record<string, Team>>,
  task: string,
  trace: StartupTrace | undefined,
  log: Logger,
  extra: readonly (readonly [string, () => Promise<void>])[] = [],
): Promise<void> {
  const turns: (readonly [string, () => Promise<void>])[] = [...extra];
  for (const [name, agent] of Object.entries(agents)) {
    if (!canWarm(agent)) continue;
    turns.push([
      `agent:${name}`,
      async () => {
        for (const tool of (agent as { tools?: readonly AnyTool[] }).tools ?? [])
          await Promise.resolve(tool.checkArguments({})).catch(() => undefined);
        const session = new Session();
        await agent.run({ task, session, run: syntheticRun });
        Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON())));
      },
    ]);
  }
  for (const [name, team] of Object.entries(teams)) {
    if (!canWarmTeam(team)) continue;
    turns.push([
      `team:${name}`,
      async () => {
        // A synthetic run of a team takes one member's turn (see BaseGroupChat), a team member's
        // included, which takes one of its own: run whole, to the session's JSON.
        const session = new Session();
        for await (const item of team.runStream({ task, session, run: syntheticRun }))
          if (item.type === "task-result") break;
        Session.fromJSON(JSON.parse(JSON.stringify(session.toJSON())));
      },
    ]);
  }
  await Promise.all(
    turns.map(async ([name, turn]) => {
      const started = performance.now();
      try {
        // Told it is synthetic by its context; the tripwire refuses any network call it makes anyway.
        await withNetworkRefused(turn);
        trace?.step({ phase: "warm", kind: "synthetic", name, status: "ok" }, started, performance.now());
      } catch (error) {
        trace?.step(
          { phase: "warm", kind: "synthetic", name, status: "failed", error: errorSummary(error) },
          started,
          performance.now(),
        );
        log({ level: "debug", msg: `synthetic warm-up turn ${name} failed: ${errorMessage(error)}` });
      }
    }),
  );
}
