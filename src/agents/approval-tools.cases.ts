// The tools the approval tests share: \`refund\` waits for approval, \`lookup\` does not; \`ran\` lists
// the calls that ran, in order.
import { defineTool } from "../tools/define-tool.ts";

export function approvalTools() {
  const ran: string[] = [];
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    needsApproval: true,
    execute: ({ order }) => {
      ran.push(`refund ${order}`);
      return `refunded ${order}`;
    },
  });
  const lookup = defineTool({
    name: "lookup",
    description: "Look an order up.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    execute: ({ order }) => {
      ran.push(`lookup ${order}`);
      return `order ${order}: shipped`;
    },
  });
  return { ran, refund, lookup };
}
