import type { BentooError } from "@bentoo/core";
import type { Dialect } from "../dialect.js";
import { parseChatCompletionsRequest } from "./parse-request.js";
import { writeChatCompletion } from "./write-answer.js";
import { ChatCompletionsStreamWriter } from "./write-stream.js";

/**
 * OpenAI's Chat Completions API (`POST /v1/chat/completions`): JSON or SSE
 * answers, errors in OpenAI's envelope, a broken stream ended by an error event
 * instead of `[DONE]`.
 */
export const chatCompletions: Dialect = {
  modelKind: "chat",
  wire: "openai-chat",
  parse: parseChatCompletionsRequest,
  answers: {
    json: writeChatCompletion,
    stream: (context) => new ChatCompletionsStreamWriter(context),
  },
  errorBody: (error: BentooError) => error.toEnvelope(),
  streamError: (error: BentooError) => `data: ${JSON.stringify(error.toEnvelope())}\n\n`,
};
