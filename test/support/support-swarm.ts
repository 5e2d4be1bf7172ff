// A one-agent swarm that asks the user for their new address: built the same way by the test and
// by the child process that resumes it.
import {
  AssistantAgent,
  type ConnectionPools,
  HandoffTermination,
  OpenAIChatCompletionClient,
  Swarm,
  TextMentionTermination,
} from "hearth";

export function supportSwarm(baseURL: string, pools: ConnectionPools): Swarm {
  const modelClient = new OpenAIChatCompletionClient({ model: "mock", baseURL, apiKey: "k", connectionPools: pools });
  return new Swarm({
    name: "support_swarm",
    participants: [
      new AssistantAgent({ name: "support", modelClient, systemMessage: "You are support.", handoffs: ["user"] }),
    ],
    termination: new HandoffTermination("user").or(new TextMentionTermination("TERMINATE")),
  });
}
