import { UserError } from "../core/errors.ts";
import type { ToolSchema } from "../core/model-client.ts";
import { toolNamePattern } from "../tools/define-tool.ts";

/** A way for an agent to pass the conversation to another agent (or to the user), as a tool the model can call. */
export interface HandoffOptions {
  readonly target: string;
  /** The tool's name. Default `transfer_to_<target>`. */
  readonly name?: string;
  readonly description?: string;
  /** The handoff message's content. */
  readonly message?: string;
}

export interface Handoff {
  readonly target: string;
  readonly name: string;
  readonly description: string;
  readonly message: string;
  readonly schema: ToolSchema;
}

export function toHandoff(input: string | HandoffOptions, agentName: string): Handoff {
  const options = typeof input === "string" ? { target: input } : input;
  if (typeof options?.target !== "string" || options.target === "")
    throw new UserError(`Agent "${agentName}": a handoff needs a target.`, { field: "handoffs" });
  const name = options.name ?? `transfer_to_${options.target.toLowerCase()}`;
  if (!toolNamePattern.test(name))
    throw new UserError(`Agent "${agentName}": handoff tool name ${JSON.stringify(name)} is invalid.`, {
      field: "handoffs",
    });
  const description = options.description ?? `Handoff to ${options.target}.`;
  const message =
    options.message ?? `Transferred to ${options.target}, adopting the role of ${options.target} immediately.`;
  return Object.freeze({
    target: options.target,
    name,
    description,
    message,
    schema: Object.freeze({ name, description, parameters: Object.freeze({ type: "object", properties: {} }) }),
  });
}
