import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "../core/errors.ts";
import type {
  Memory,
  MemoryContent,
  MemoryOptions,
  MemoryQueryResult,
  UpdateContextInput,
  UpdateContextResult,
} from "../core/memory.ts";
import type { AgentMessage, MemoryQueryEvent } from "../core/messages.ts";
import type { ModelMessage } from "../core/model-client.ts";
import { syntheticRun } from "../core/run-context.ts";
import { Session } from "../core/session.ts";
import { ListMemory } from "../memory/list-memory.ts";
import { RoundRobinGroupChat } from "../teams/round-robin-group-chat.ts";
import { MaxMessageTermination } from "../teams/termination.ts";
import { ScriptedModelClient } from "../testing/scripted-model-client.ts";
import { defineTool } from "../tools/define-tool.ts";
import { AssistantAgent } from "./assistant-agent.ts";

const types = (messages: readonly AgentMessage[]) => messages.map((message) => message.type);
const text = (content: string): MemoryContent => ({ content, mimeType: "text/plain" });
const memoryNote = (...items: string[]): ModelMessage => ({
  role: "system",
  content: `\nRelevant memory content (in chronological order):\n${items.map((item, index) => `${index + 1}. ${item}`).join("\n")}\n`,
});
const contentOf = (message: ModelMessage | undefined) =>
  message !== undefined && "content" in message ? message.content : undefined;
const events = (messages: readonly AgentMessage[]) =>
  messages.filter((message): message is MemoryQueryEvent => message.type === "memory-query");

/** Whether any stored context entry mentions `needle`. */
function contextMentions(session: Session, agent: string, needle: string): boolean {
  return JSON.stringify(session.contextOf(agent)).includes(needle);
}

/** A memory made of functions, counting its updateContext calls. */
class ScriptedMemory implements Memory {
  readonly name: string;
  readonly inputs: UpdateContextInput[] = [];
  readonly #update: (input: UpdateContextInput) => Promise<UpdateContextResult>;

  constructor(name: string, update: (input: UpdateContextInput) => Promise<UpdateContextResult>) {
    this.name = name;
    this.#update = update;
  }

  updateContext(input: UpdateContextInput): Promise<UpdateContextResult> {
    this.inputs.push(input);
    return this.#update(input);
  }
  async query(): Promise<MemoryQueryResult> {
    return { results: [] };
  }
  async add(): Promise<void> {}
  async clear(): Promise<void> {}
  async close(): Promise<void> {}
}

test("the model request carries the memory's content, and a memory-query event reports it", async () => {
  const memory = new ListMemory({ name: "preferences", memoryContents: [text("User likes pizza.")] });
  await memory.add(text("User dislikes cheese."));
  const modelClient = new ScriptedModelClient({ replies: ["A cheese-free pizza."] });
  const agent = new AssistantAgent({ name: "chef", modelClient, systemMessage: "Suggest a meal.", memory: [memory] });
  const session = agent.createSession();
  const result = await agent.run({ task: "What should I eat?", session });

  assert.deepEqual(modelClient.requests[0]?.messages, [
    { role: "system", content: "Suggest a meal." },
    { role: "user", content: "What should I eat?", source: "user" },
    memoryNote("User likes pizza.", "User dislikes cheese."),
  ]);
  // As AutoGen's MemoryQueryEvent: after the task, before the reply; stored in the transcript.
  assert.deepEqual(types(result.messages), ["text", "memory-query", "text"]);
  const [event] = events(result.messages);
  assert.equal(event?.source, "chef");
  assert.equal(event?.memory, "preferences");
  assert.deepEqual(event?.content, [text("User likes pizza."), text("User dislikes cheese.")]);
  assert.deepEqual(session.messages, result.messages);
  // The model context holds the conversation, never the memory's message.
  assert.deepEqual(session.contextOf("chef"), [
    { role: "user", content: "What should I eat?", source: "user" },
    { role: "assistant", content: "A cheese-free pizza.", source: "chef" },
  ]);
  // The event survives the session's JSON.
  const reloaded = Session.fromJSON(JSON.parse(JSON.stringify(session)));
  assert.deepEqual(reloaded.messages, session.messages);
});

test("memory does not accumulate in the session: each turn's request carries that turn's memory only", async () => {
  const memory = new ListMemory({ name: "notes", memoryContents: [text("first note")] });
  const modelClient = new ScriptedModelClient({ replies: ["one", "two", "three"] });
  const agent = new AssistantAgent({ name: "helper", modelClient, systemMessage: null, memory: [memory] });
  const session = agent.createSession();
  await agent.run({ task: "turn 1", session });
  await memory.add(text("second note"));
  await agent.run({ task: "turn 2", session });
  await memory.clear();
  await agent.run({ task: "turn 3", session });

  assert.deepEqual(modelClient.requests[1]?.messages, [
    { role: "user", content: "turn 1", source: "user" },
    { role: "assistant", content: "one", source: "helper" },
    { role: "user", content: "turn 2", source: "user" },
    memoryNote("first note", "second note"),
  ]);
  // An empty memory adds nothing, and no note of an earlier turn is left over.
  const third = modelClient.requests[2]?.messages ?? [];
  assert.ok(third.every((message) => message.role !== "system"));
  assert.equal(third.length, 5);
  assert.ok(!contextMentions(session, "helper", "note"));
  // No event for a turn whose memory found nothing (as AutoGen).
  assert.equal(events(session.messages).length, 2);
});

test("memory is queried once per turn; the turn's later model calls repeat its messages, then the steps since", async () => {
  const lookup = defineTool({
    name: "lookup",
    description: "Look an order up.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    execute: ({ order }) => `order ${order}: shipped`,
  });
  let queries = 0;
  const memory = new ScriptedMemory("orders", async ({ messages }) => {
    queries += 1;
    return {
      messages: [...messages, { role: "system", content: `Remembered (${queries}).` }],
      memories: { results: [text("Customer ordered A1.")] },
    };
  });
  const modelClient = new ScriptedModelClient({
    replies: [
      { toolCalls: [{ id: "c1", name: "lookup", arguments: { order: "A1" } }] },
      { toolCalls: [{ id: "c2", name: "lookup", arguments: { order: "A2" } }] },
      "Both shipped.",
    ],
  });
  const agent = new AssistantAgent({
    name: "helper",
    modelClient,
    systemMessage: "Help.",
    tools: [lookup],
    maxToolIterations: 2,
    reflectOnToolUse: true,
    memory: [memory],
  });
  const session = agent.createSession();
  const result = await agent.run({ task: "Where are my orders?", session });

  assert.equal(queries, 1);
  assert.equal(events(result.messages).length, 1);
  const [first, second, third] = modelClient.requests.map((request) => request.messages);
  const head = [
    { role: "system", content: "Help." },
    { role: "user", content: "Where are my orders?", source: "user" },
    { role: "system", content: "Remembered (1)." },
  ];
  assert.deepEqual(first, head);
  assert.deepEqual(second?.slice(0, 3), head);
  assert.deepEqual(
    second?.slice(3).map((message) => message.role),
    ["assistant", "tool"],
  );
  assert.deepEqual(third?.slice(0, 5), second);
  assert.deepEqual(
    third?.slice(5).map((message) => message.role),
    ["assistant", "tool"],
  );
  assert.equal(result.messages.at(-1)?.type, "text");
  assert.ok(!contextMentions(session, "helper", "Remembered"));
});

test("memories are applied in order, each given the messages the one before returned, each with its own event", async () => {
  const memory = new ListMemory({ name: "facts", memoryContents: [text("The sky is blue.")] });
  const seen: number[] = [];
  const second = new ScriptedMemory("counter", async ({ messages }) => {
    seen.push(messages.length);
    return { messages: [...messages, { role: "system", content: "Count: 1" }], memories: { results: [] } };
  });
  const third = new ScriptedMemory("profile", async ({ messages }) => ({
    messages,
    memories: { results: [{ content: { plan: "pro" }, mimeType: "application/json" }] },
  }));
  const modelClient = new ScriptedModelClient({ replies: ["ok"] });
  const agent = new AssistantAgent({
    name: "helper",
    modelClient,
    systemMessage: "Hi.",
    memory: [memory, second, third],
  });
  const result = await agent.run({ task: "Hello" });
  assert.deepEqual(seen, [3]);
  assert.deepEqual(modelClient.requests[0]?.messages.map(contentOf), [
    "Hi.",
    "Hello",
    contentOf(memoryNote("The sky is blue.")),
    "Count: 1",
  ]);
  // The memory that found nothing has no event.
  assert.deepEqual(
    events(result.messages).map((event) => event.memory),
    ["facts", "profile"],
  );
  assert.equal(third.inputs[0]?.agent, "helper");
});

test("a per-tenant memory reads the run's tenant and request context", async () => {
  /** What each tenant's customers told it, kept apart by tenant. */
  class TenantMemory implements Memory {
    readonly name = "tenant-notes";
    readonly #byTenant = new Map<string, MemoryContent[]>();
    #of(options: MemoryOptions | undefined): MemoryContent[] {
      const tenant = options?.run?.tenant ?? "default";
      const contents = this.#byTenant.get(tenant) ?? [];
      this.#byTenant.set(tenant, contents);
      return contents;
    }
    async updateContext({ messages, run, signal }: UpdateContextInput): Promise<UpdateContextResult> {
      const customer = String(run.context?.customer ?? "anyone");
      const results = (await this.query(customer, { run, signal })).results;
      if (results.length === 0) return { messages, memories: { results } };
      const note = results.map((item) => item.content).join("; ");
      return {
        messages: [...messages, { role: "system", content: `About ${customer}: ${note}` }],
        memories: { results },
      };
    }
    async query(query: string | MemoryContent, options?: MemoryOptions): Promise<MemoryQueryResult> {
      return { results: this.#of(options).filter((item) => item.metadata?.customer === query) };
    }
    async add(content: MemoryContent, options?: MemoryOptions): Promise<void> {
      this.#of(options).push(content);
    }
    async clear(options?: MemoryOptions): Promise<void> {
      this.#of(options).length = 0;
    }
    async close(): Promise<void> {}
  }
  const memory = new TenantMemory();
  const acme = { synthetic: false, tenant: "acme" } as const;
  const globex = { synthetic: false, tenant: "globex" } as const;
  await memory.add({ content: "prefers email", mimeType: "text/plain", metadata: { customer: "ann" } }, { run: acme });
  await memory.add(
    { content: "prefers phone", mimeType: "text/plain", metadata: { customer: "ann" } },
    { run: globex },
  );
  const modelClient = new ScriptedModelClient({ replies: ["a", "b", "c"] });
  const agent = new AssistantAgent({ name: "helper", modelClient, systemMessage: null, memory: [memory] });

  await agent.run({ task: "Contact me", run: acme, context: { customer: "ann" } });
  await agent.run({ task: "Contact me", run: globex, context: { customer: "ann" } });
  await agent.run({ task: "Contact me", run: globex, context: { customer: "bob" } });
  const notes = modelClient.requests.map((request) => contentOf(request.messages.at(-1)));
  assert.deepEqual(notes, ["About ann: prefers email", "About ann: prefers phone", "Contact me"]);
});

test("a memory that throws fails the turn with HEARTH_MEMORY_FAILED naming it; nothing is stored or sent", async () => {
  const cause = new Error("vector store unreachable");
  const memory = new ScriptedMemory("documents", async () => {
    throw cause;
  });
  const modelClient = new ScriptedModelClient({ replies: ["never"] });
  const agent = new AssistantAgent({ name: "helper", modelClient, memory: [memory] });
  const session = agent.createSession();
  await assert.rejects(agent.run({ task: "Hi", session }), (error: unknown) => {
    assert.ok(HearthError.is(error, "HEARTH_MEMORY_FAILED"));
    assert.equal(error.message, 'Memory "documents" of agent "helper" failed: vector store unreachable');
    assert.equal(error.cause, cause);
    assert.equal(error.retryable, false);
    return true;
  });
  assert.equal(modelClient.requests.length, 0);
  assert.deepEqual(session.messages, []);
  assert.deepEqual(session.contextOf("helper"), []);
});

test("a memory's retryable HearthError keeps the turn's failure retryable", async () => {
  const memory = new ScriptedMemory("embeddings", async () => {
    throw new HearthError("HEARTH_MODEL_TIMEOUT", "embedding timed out", { retryable: true });
  });
  const agent = new AssistantAgent({ name: "helper", modelClient: new ScriptedModelClient(), memory: [memory] });
  await assert.rejects(
    agent.run({ task: "Hi" }),
    (error: unknown) => HearthError.is(error, "HEARTH_MEMORY_FAILED") && error.retryable,
  );
});

test("a memory that returns what is not a request's messages and memory contents fails the turn, naming it", async () => {
  const cases: [unknown, RegExp][] = [
    [undefined, /returned no `messages`/],
    [{ messages: [{ content: "no role" }], memories: { results: [] } }, /returned no `messages`/],
    [{ messages: [] }, /returned no `memories.results`/],
    [
      { messages: [], memories: { results: [{ content: "x" }] } },
      /memories.results\[0\], not a memory content: needs a mimeType/,
    ],
    [
      { messages: [], memories: { results: [{ content: { at: new Date() }, mimeType: "application/json" }] } },
      /not JSON-safe/,
    ],
  ];
  for (const [returned, pattern] of cases) {
    const memory = new ScriptedMemory("broken", async () => returned as UpdateContextResult);
    const modelClient = new ScriptedModelClient({ replies: ["never"] });
    const agent = new AssistantAgent({ name: "helper", modelClient, memory: [memory] });
    await assert.rejects(agent.run({ task: "Hi" }), (error: unknown) => {
      assert.ok(HearthError.is(error, "HEARTH_MEMORY_FAILED"));
      assert.match(error.message, /^Memory "broken" of agent "helper" /);
      assert.match(error.message, pattern);
      return true;
    });
    assert.equal(modelClient.requests.length, 0);
  }
});

test("aborting the run stops a memory that ignores its signal, and the memory's signal is aborted", async () => {
  let started!: () => void;
  const querying = new Promise<void>((resolve) => {
    started = resolve;
  });
  const memory = new ScriptedMemory("slow", () => {
    started();
    return new Promise<never>(() => {});
  });
  const modelClient = new ScriptedModelClient({ replies: ["never"] });
  const agent = new AssistantAgent({ name: "helper", modelClient, memory: [memory] });
  const session = agent.createSession();
  const controller = new AbortController();
  const run = agent.run({ task: "Hi", session, signal: controller.signal });
  await querying;
  controller.abort();
  await assert.rejects(run, (error: unknown) => HearthError.is(error, "HEARTH_ABORTED"));
  assert.equal(memory.inputs[0]?.signal.aborted, true);
  assert.equal(modelClient.requests.length, 0);
  assert.deepEqual(session.messages, []);
});

test("a synthetic warm-up turn does not query memories, as it does not call tools", async () => {
  const memory = new ScriptedMemory("documents", async () => {
    throw new Error("must not be queried");
  });
  const agent = new AssistantAgent({ name: "helper", modelClient: new ScriptedModelClient(), memory: [memory] });
  const result = await agent.run({ task: "Hi", run: syntheticRun });
  assert.equal(result.stopReason, "text");
  assert.equal(memory.inputs.length, 0);
});

test("the option is checked: memory must be a list of memories", () => {
  const modelClient = new ScriptedModelClient();
  for (const memory of [new ListMemory(), [{ name: "half", query: async () => ({ results: [] }) }], "notes"]) {
    assert.throws(
      () => new AssistantAgent({ name: "helper", modelClient, memory: memory as unknown as Memory[] }),
      (error: unknown) =>
        HearthError.is(error, "HEARTH_CONFIG_INVALID") &&
        error.field === "memory" &&
        /memory must be a list/.test(error.message),
    );
  }
  const memory = new ListMemory();
  const agent = new AssistantAgent({ name: "helper", modelClient, memory: [memory] });
  assert.deepEqual(agent.memory, [memory]);
  assert.ok(Object.isFrozen(agent.memory));
  assert.deepEqual(agent.withoutTools().memory, [memory]);
});

test("in a team, a member's memory event stays in the transcript and out of the other members' requests", async () => {
  const memory = new ListMemory({ name: "style", memoryContents: [text("Write in haiku.")] });
  const writerModel = new ScriptedModelClient({ replies: ["draft"] });
  const criticModel = new ScriptedModelClient({ replies: ["fine"] });
  const writer = new AssistantAgent({
    name: "writer",
    modelClient: writerModel,
    systemMessage: null,
    memory: [memory],
  });
  const critic = new AssistantAgent({ name: "critic", modelClient: criticModel, systemMessage: null });
  const team = new RoundRobinGroupChat({ participants: [writer, critic], termination: new MaxMessageTermination(3) });
  const session = team.createSession();
  const result = await team.run({ task: "A poem.", session });
  assert.deepEqual(types(result.messages), ["text", "memory-query", "text", "text"]);
  assert.deepEqual(writerModel.requests[0]?.messages.at(-1), memoryNote("Write in haiku."));
  assert.ok(!JSON.stringify(criticModel.requests).includes("haiku"));
  assert.ok(!contextMentions(session, "writer", "haiku"));
  assert.equal(events(session.messages).length, 1);
});

test("streamed, the memory-query event comes before the reply's deltas", async () => {
  const memory = new ListMemory({ memoryContents: [text("note")] });
  const modelClient = new ScriptedModelClient({ replies: ["a streamed reply"] });
  const agent = new AssistantAgent({ name: "helper", modelClient, modelClientStream: true, memory: [memory] });
  const seen: string[] = [];
  for await (const item of agent.runStream({ task: "Hi" })) seen.push(item.type);
  assert.equal(seen[0], "text");
  assert.equal(seen[1], "memory-query");
  assert.ok(seen.indexOf("message-delta") > 1);
  assert.equal(seen.at(-1), "task-result");
});

test("a turn resumed after approvals queries its memories again, before its first model call in that run", async () => {
  const refund = defineTool({
    name: "refund",
    description: "Refund an order.",
    parameters: { type: "object", properties: { order: { type: "string" } }, required: ["order"] },
    needsApproval: true,
    execute: ({ order }) => `refunded ${order}`,
  });
  const memory = new ListMemory({ name: "policy", memoryContents: [text("Refunds within 30 days.")] });
  const modelClient = new ScriptedModelClient({
    replies: [{ toolCalls: [{ id: "c1", name: "refund", arguments: { order: "A1" } }] }, "Refunded."],
  });
  const agent = new AssistantAgent({
    name: "helper",
    modelClient,
    systemMessage: null,
    tools: [refund],
    reflectOnToolUse: true,
    memory: [memory],
  });
  const session = agent.createSession();
  const asked = await agent.run({ task: "Refund A1", session });
  assert.deepEqual(types(asked.messages), ["text", "memory-query", "tool-call-request", "tool-approval-request"]);
  const resumed = await agent.run({ session, approvals: [{ callId: "c1", approved: true }] });
  assert.deepEqual(types(resumed.messages), ["tool-call-execution", "memory-query", "text"]);
  const reflection = modelClient.requests[1]?.messages ?? [];
  assert.deepEqual(
    reflection.map((message) => message.role),
    ["user", "assistant", "tool", "system"],
  );
  assert.deepEqual(reflection.at(-1), memoryNote("Refunds within 30 days."));
  assert.ok(!contextMentions(session, "helper", "30 days"));
});
