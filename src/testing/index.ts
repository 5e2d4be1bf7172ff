// hearth/testing: the test doubles hearth's own tests use, published for users' tests.
export { ScriptedModelClient, type ScriptedModelClientOptions, type ScriptedReply } from "./scripted-model-client.ts";
export {
  echoResponder,
  startMockOpenAIServer,
  type MockChatRequest,
  type MockFault,
  type MockOpenAIServer,
  type MockOpenAIServerOptions,
  type MockReply,
  type RecordedRequest,
} from "./mock-openai-server.ts";
export {
  echoMessagesResponder,
  startMockAnthropicServer,
  type MockAnthropicFault,
  type MockAnthropicReply,
  type MockAnthropicServer,
  type MockAnthropicServerOptions,
  type MockContentBlock,
  type MockMessagesRequest,
} from "./mock-anthropic-server.ts";
export { hasRedisServer, redisSkipReason, startRedisServer, type RedisServer } from "./redis-server.ts";
