import type { TerminationCondition } from "../core/team.ts";
import {
  AndTermination,
  ExternalTermination,
  FunctionCallTermination,
  HandoffTermination,
  MaxMessageTermination,
  OrTermination,
  SourceMatchTermination,
  StopMessageTermination,
  TextMentionTermination,
  TextMessageTermination,
  TimeoutTermination,
  TokenUsageTermination,
} from "../teams/termination.ts";
import { type ComponentJSON, ConfigReader } from "./component-json.ts";
import { construct, present } from "./construct.ts";
import type { Loader } from "./loader.ts";

// AutoGen's termination configs (autogen_agentchat/conditions/_terminations.py and, for `&` and
// `|`, base/_termination.py) as hearth's conditions.

type Build = (reader: ConfigReader) => TerminationCondition;

function read(component: ComponentJSON, build: Build): TerminationCondition {
  const reader = ConfigReader.of(component);
  const condition = construct(reader, () => build(reader));
  reader.done();
  return condition;
}

export const terminationBuilders: Readonly<Record<string, (component: ComponentJSON) => TerminationCondition>> = {
  MaxMessageTermination: (component) =>
    read(component, (reader) => {
      const maxMessages = reader.number("max_messages", "positive integer");
      const includeAgentEvent = reader.optionalBoolean("include_agent_event");
      return new MaxMessageTermination(maxMessages, present("includeAgentEvent", includeAgentEvent));
    }),
  TextMentionTermination: (component) => read(component, (reader) => new TextMentionTermination(reader.string("text"))),
  StopMessageTermination: (component) => read(component, () => new StopMessageTermination()),
  TokenUsageTermination: (component) =>
    read(
      component,
      (reader) =>
        new TokenUsageTermination({
          ...present("maxTotalTokens", reader.optionalNumber("max_total_token", "positive integer")),
          ...present("maxPromptTokens", reader.optionalNumber("max_prompt_token", "positive integer")),
          ...present("maxCompletionTokens", reader.optionalNumber("max_completion_token", "positive integer")),
        }),
    ),
  HandoffTermination: (component) => read(component, (reader) => new HandoffTermination(reader.string("target"))),
  TimeoutTermination: (component) =>
    read(component, (reader) => new TimeoutTermination(reader.number("timeout_seconds", "positive") * 1000)),
  ExternalTermination: (component) => read(component, () => new ExternalTermination()),
  SourceMatchTermination: (component) =>
    read(component, (reader) => {
      const sources = reader.optionalStringList("sources");
      if (sources === undefined) throw reader.error("sources", '"sources" is required.');
      return new SourceMatchTermination(sources);
    }),
  TextMessageTermination: (component) =>
    read(component, (reader) => new TextMessageTermination(reader.optionalString("source"))),
  FunctionCallTermination: (component) =>
    read(component, (reader) => new FunctionCallTermination(reader.string("function_name"))),
};

/** `autogen_agentchat.base.AndTerminationCondition` and `OrTerminationCondition`: their `conditions` list. */
export function combinedTermination(kind: "and" | "or") {
  return (component: ComponentJSON, loader: Loader): TerminationCondition => {
    const reader = ConfigReader.of(component);
    const conditions = reader.components("conditions").map((part) => loader.build(part, ["termination"]));
    reader.done();
    if (conditions.length === 0) throw reader.error("conditions", '"conditions" must list at least one condition.');
    return kind === "and" ? new AndTermination(conditions) : new OrTermination(conditions);
  };
}
