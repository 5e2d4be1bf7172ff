// Type tests: `npm test` type-checks this file; a wrong inference fails the build.
import { z } from "zod";
import { defineTool } from "./define-tool.ts";

defineTool({
  name: "typed",
  description: "zod input is inferred",
  parameters: z.object({ id: z.string(), count: z.number().optional() }),
  execute: (args) => {
    const id: string = args.id;
    const count: number | undefined = args.count;
    // @ts-expect-error: not in the schema
    void args.missing;
    // @ts-expect-error: id is a string
    const wrong: number = args.id;
    return { id, count, wrong };
  },
});

defineTool({
  name: "plain",
  description: "JSON Schema input is an object of unknowns",
  parameters: { type: "object", properties: { id: { type: "string" } } },
  execute: (args) => {
    const id: unknown = args.id;
    // @ts-expect-error: unknown is not a string without a check
    const text: string = args.id;
    return { id, text };
  },
});
