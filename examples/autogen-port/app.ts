// AutoGen's FastAPI sample (microsoft/autogen, python/samples/agentchat_fastapi: app_agent.py and
// app_team.py) as a hearth app; docs/autogen.md walks through the port line by line. Serve it with
// `hearth serve examples/autogen-port/app.ts --cors "*"`.
import {
  AssistantAgent,
  OpenAIChatCompletionClient,
  RoundRobinGroupChat,
  SourceMatchTermination,
  defineApp,
} from "hearth";

export default defineApp({
  name: "autogen_port",
  models: {
    // model_config.yaml: the key from OPENAI_API_KEY (and OPENAI_BASE_URL, when set), read once.
    default: () => new OpenAIChatCompletionClient({ model: process.env.OPENAI_MODEL ?? "gpt-4o" }),
  },
  agents: {
    // app_agent.py's get_agent(), built once at startup instead of once per request.
    assistant: ({ models }) =>
      new AssistantAgent({
        name: "assistant",
        modelClient: models.default,
        systemMessage: "You are a helpful assistant.",
      }),
    yoda: ({ models }) =>
      new AssistantAgent({
        name: "yoda",
        modelClient: models.default,
        systemMessage: "Repeat the same message in the tone of Yoda.",
      }),
  },
  teams: {
    // app_team.py's team, without the UserProxyAgent: a run ends when yoda has spoken, and the
    // person's next message is the next request on the same session.
    assistant_and_yoda: ({ agents }) =>
      new RoundRobinGroupChat({
        participants: [agents.assistant, agents.yoda],
        termination: new SourceMatchTermination(["yoda"]),
      }),
  },
});
