import type { GroupChatOptions } from "../teams/base-group-chat.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { SelectorGroupChat } from "../teams/selector-group-chat.ts";
import { Swarm } from "../teams/swarm.ts";
import { type ComponentJSON, ConfigReader } from "./component-json.ts";
import { construct, present } from "./construct.ts";
import type { Loader } from "./loader.ts";

// AutoGen's team configs (autogen_agentchat/teams/_group_chat/: RoundRobinGroupChatConfig,
// SelectorGroupChatConfig, SwarmConfig) as hearth's teams.

/**
 * What every group chat's config has: `participants` (agents, and teams where AutoGen takes them),
 * `name`, `description`, `termination_condition`, `max_turns`, and `emit_team_events` but GraphFlow's.
 */
export function groupChatOptions(
  reader: ConfigReader,
  loader: Loader,
  members: readonly ("agent" | "team")[],
): GroupChatOptions {
  const participants = reader.components("participants").map((participant) => loader.build(participant, members));
  const termination = reader.optionalComponent("termination_condition");
  if (members.includes("team"))
    reader.unsupported(
      "emit_team_events",
      "hearth's teams do not emit speaker-selection events",
      (value) => value === false,
    );
  return {
    participants,
    ...present("name", reader.optionalString("name")),
    ...present("description", reader.optionalString("description")),
    ...present("termination", termination === undefined ? undefined : loader.build(termination, ["termination"])),
    ...present("maxTurns", reader.optionalNumber("max_turns", "positive integer")),
  };
}

/** `autogen_agentchat.teams.RoundRobinGroupChat`. */
export function roundRobinGroupChat(component: ComponentJSON, loader: Loader): RoundRobinGroupChat {
  const reader = ConfigReader.of(component);
  const options = groupChatOptions(reader, loader, ["agent", "team"]);
  reader.done();
  return construct(reader, () => new RoundRobinGroupChat(options));
}

/** `autogen_agentchat.teams.Swarm`: its participants are agents (a team cannot hand off). */
export function swarm(component: ComponentJSON, loader: Loader): Swarm {
  const reader = ConfigReader.of(component);
  const options = groupChatOptions(reader, loader, ["agent"]);
  reader.unsupported(
    "emit_team_events",
    "hearth's teams do not emit speaker-selection events",
    (value) => value === false,
  );
  reader.done();
  return construct(reader, () => new Swarm(options));
}

/** `autogen_agentchat.teams.SelectorGroupChat` (its `selector_func` is not serialised by AutoGen). */
export function selectorGroupChat(component: ComponentJSON, loader: Loader): SelectorGroupChat {
  const reader = ConfigReader.of(component);
  const group = groupChatOptions(reader, loader, ["agent", "team"]);
  const modelClient = loader.modelClient(reader.component("model_client"));
  const modelContext = reader.optionalComponent("model_context");
  // The selector reads the whole thread: an unbounded context is what it does already.
  if (
    modelContext !== undefined &&
    modelContext.provider !== "autogen_core.model_context.UnboundedChatCompletionContext"
  )
    throw reader.error(
      "model_context",
      'option "model_context" is not supported: hearth\'s selector reads the whole thread (an UnboundedChatCompletionContext).',
    );
  if (modelContext !== undefined) loader.build(modelContext, ["chat_completion_context"]);
  reader.unsupported(
    "model_client_streaming",
    "hearth's selector does not stream its model's answer",
    (value) => value === false,
  );
  const options = {
    ...group,
    modelClient,
    ...present("selectorPrompt", reader.optionalString("selector_prompt")),
    ...present("allowRepeatedSpeaker", reader.optionalBoolean("allow_repeated_speaker")),
    ...present("maxSelectorAttempts", reader.optionalNumber("max_selector_attempts", "positive integer")),
  };
  reader.done();
  return construct(reader, () => new SelectorGroupChat(options));
}
