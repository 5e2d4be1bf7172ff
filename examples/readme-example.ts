// The README's example, kept here so `npm test` type-checks it. Run it with OPENAI_API_KEY set.
import { AssistantAgent, OpenAIChatCompletionClient, Session, defineTool } from "hearth";
import { z } from "zod";

// At startup, once: the client, its warm connection, the tool, the agent.
const modelClient = new OpenAIChatCompletionClient({ model: "gpt-4o-mini" });
await modelClient.warmup(); // opens the pooled connection and proves the key

const orders = new Map([["A123", { status: "shipped", carrier: "DHL" }]]); // loaded once
const lookupOrder = defineTool({
  name: "lookup_order",
  description: "Look up an order by id.",
  parameters: z.object({ order_id: z.string() }),
  execute: ({ order_id }) => orders.get(order_id) ?? { found: false },
});

const agent = new AssistantAgent({ name: "support_agent", modelClient, tools: [lookupOrder], reflectOnToolUse: true });

// Per request: a cheap session, loaded and saved by you (stores come later).
const session = agent.createSession();
const result = await agent.run({ task: "Where is order A123?", session });
console.log(result.messages.at(-1), result.usage);
const saved = JSON.stringify(session.toJSON());
const restored = Session.fromJSON(saved); // in another request, or another process

for await (const event of agent.runStream({ task: "And B201?", session: restored })) {
  if (event.type === "message-delta") process.stdout.write(event.content);
}
