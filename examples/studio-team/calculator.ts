import { defineTool } from "hearth";

/**
 * The calculator the exported team names. AutoGen Studio's JSON carries it as Python source, which
 * hearth never runs: the app gives the tool of that name itself, written here in TypeScript with
 * the same name, arguments and description.
 */
export const calculator = defineTool({
  name: "calculator",
  description: "A simple calculator that performs basic arithmetic operations",
  parameters: {
    type: "object",
    properties: {
      a: { type: "number" },
      b: { type: "number" },
      operator: { type: "string", enum: ["+", "-", "*", "/"] },
    },
    required: ["a", "b", "operator"],
    additionalProperties: false,
  },
  execute: ({ a, b, operator }) => {
    const [x, y] = [Number(a), Number(b)];
    switch (operator) {
      case "+":
        return String(x + y);
      case "-":
        return String(x - y);
      case "*":
        return String(x * y);
      default:
        return y === 0 ? "Error: Division by zero" : String(x / y);
    }
  },
});
