// Moves the conversation AutoGen's app_agent.py kept in agent_state.json into hearth's session
// store, once: `node import-state.ts agent_state.json [.hearth/sessions.db]` prints the id of the
// session to continue it with. Run it with the app's environment (OPENAI_API_KEY).
import { readFileSync } from "node:fs";
import { AssistantAgent, OpenAIChatCompletionClient, SqliteSessionStore } from "hearth";

const [file = "agent_state.json", path = ".hearth/sessions.db"] = process.argv.slice(2);
// The agent the app serves, by name: its loadState reads AutoGen's AssistantAgentState.
const assistant = new AssistantAgent({
  name: "assistant",
  modelClient: new OpenAIChatCompletionClient({ model: process.env.OPENAI_MODEL ?? "gpt-4o" }),
});
const session = assistant.loadState(readFileSync(file, "utf8"));
const store = new SqliteSessionStore({ path });
// Version 0: a session the store does not hold yet. "default" is the tenant of an app without keys.
await store.put("default", session.toJSON(), 0);
await store.close();
console.log(session.id);
