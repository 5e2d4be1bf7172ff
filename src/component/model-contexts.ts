import {
  bufferedContext,
  headAndTailContext,
  type ModelContext,
  tokenLimitedContext,
  unboundedContext,
} from "../agents/model-context.ts";
import { type ComponentJSON, ConfigReader } from "./component-json.ts";
import { construct } from "./construct.ts";
import type { Loader } from "./loader.ts";

// AutoGen's model context configs (autogen_core/model_context/*.py) as hearth's context strategies.
// hearth keeps the conversation in the session and a strategy only chooses the view, so a context
// cannot start with messages of its own: `initial_messages` is refused when it holds any.

function read(component: ComponentJSON, build: (reader: ConfigReader) => ModelContext): ModelContext {
  const reader = ConfigReader.of(component);
  reader.unsupported(
    "initial_messages",
    "hearth keeps a conversation in its session, not in the model context; start the session with those messages instead",
  );
  const context = construct(reader, () => build(reader));
  reader.done();
  return context;
}

export const modelContextBuilders: Readonly<
  Record<string, (component: ComponentJSON, loader: Loader) => ModelContext>
> = {
  UnboundedChatCompletionContext: (component) => read(component, () => unboundedContext()),
  BufferedChatCompletionContext: (component) =>
    read(component, (reader) => bufferedContext(reader.number("buffer_size", "positive integer"))),
  HeadAndTailChatCompletionContext: (component) =>
    read(component, (reader) =>
      headAndTailContext(
        reader.number("head_size", "positive integer"),
        reader.number("tail_size", "positive integer"),
      ),
    ),
  TokenLimitedChatCompletionContext: (component, loader) =>
    read(component, (reader) => {
      // AutoGen counts with this model's tokenizer; hearth counts approximately (approximateTokenCount),
      // so the client is checked but not built.
      const model = reader.component("model_client");
      loader.checkModel(model);
      const tokenLimit = reader.optionalNumber("token_limit", "positive integer");
      if (tokenLimit === undefined)
        throw reader.error(
          "token_limit",
          '"token_limit" is required: hearth does not know a model\'s context window, which AutoGen falls back to.',
        );
      reader.unsupported("tool_schema", "hearth's count leaves tool schemas out");
      return tokenLimitedContext(tokenLimit);
    }),
};
