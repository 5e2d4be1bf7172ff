// The scripted agent the team tests share: an AssistantAgent named, described and prompted after
// its name, answering from `replies`.
import { AssistantAgent } from "../agents/assistant-agent.ts";
import { ScriptedModelClient, type ScriptedReply } from "../testing/scripted-model-client.ts";

export const scriptedAgent = (
  name: string,
  replies: ScriptedReply[],
  extra: Partial<ConstructorParameters<typeof AssistantAgent>[0]> = {},
) =>
  new AssistantAgent({
    name,
    description: `The ${name}.`,
    modelClient: new ScriptedModelClient({ replies }),
    systemMessage: `You are ${name}.`,
    ...extra,
  });
