import type { ToolSchema } from "../core/model-client.ts";
import type { AnyTool } from "../core/tool.ts";
import type { Workbench } from "../core/workbench.ts";

/** What one model call offers and what its tool calls run against. */
export interface Tools {
  readonly byName: ReadonlyMap<string, AnyTool>;
  /** The agent's tools, its workbenches' and its handoffs', as the model receives them. */
  readonly schemas: readonly ToolSchema[];
}

function schemaOf(tool: AnyTool): ToolSchema {
  return Object.freeze({
    name: tool.name,
    description: tool.description,
    parameters: tool.parameters,
    strict: tool.strict,
  });
}

/**
 * An agent's tools: its own, fixed when it is built, and its workbenches', which may change (an MCP
 * server's list). Rebuilt only when a workbench's `toolsVersion` moves; otherwise every call gets
 * the same frozen maps. A workbench tool named like one of the agent's own, or like an earlier
 * workbench's, is left out: the agent's own tools come first.
 */
export class ToolSet {
  readonly #own: readonly AnyTool[];
  readonly #handoffs: readonly ToolSchema[];
  readonly #reserved: ReadonlySet<string>;
  readonly #workbenches: readonly Workbench[];
  #versions: number[] = [];
  #current: Tools;

  constructor(own: readonly AnyTool[], handoffs: readonly ToolSchema[], workbenches: readonly Workbench[]) {
    this.#own = own;
    this.#handoffs = handoffs;
    this.#reserved = new Set([...own.map((tool) => tool.name), ...handoffs.map((handoff) => handoff.name)]);
    this.#workbenches = workbenches;
    this.#current = this.#build();
  }

  /** The tools now. */
  current(): Tools {
    const workbenches = this.#workbenches;
    for (let index = 0; index < workbenches.length; index++) {
      if ((workbenches[index] as Workbench).toolsVersion !== this.#versions[index]) {
        this.#current = this.#build();
        break;
      }
    }
    return this.#current;
  }

  #build(): Tools {
    this.#versions = this.#workbenches.map((workbench) => workbench.toolsVersion);
    const tools = [...this.#own];
    const names = new Set(this.#reserved);
    for (const workbench of this.#workbenches)
      for (const tool of workbench.tools()) {
        if (names.has(tool.name)) continue;
        names.add(tool.name);
        tools.push(tool);
      }
    return Object.freeze({
      byName: new Map(tools.map((tool) => [tool.name, tool])),
      schemas: Object.freeze([...tools.map(schemaOf), ...this.#handoffs]),
    });
  }
}
