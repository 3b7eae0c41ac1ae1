import { type AnswerContext, type Choice, type ModelResponse, type TokenLogprob, totalTokens, type Usage } from "@bentoo/core";

/**
 * Answers in Bentoo's own terms written as Chat Completions JSON (the sandbox's
 * and translated providers' answers; a passthrough keeps the provider's bytes).
 * https://platform.openai.com/docs/api-reference/chat/object
 */
export function chatUsage(usage: Usage, context: AnswerContext): Record<string, unknown> {
  const body: Record<string, unknown> = { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: totalTokens(usage) };
  if (usage.cacheReadTokens > 0) body.prompt_tokens_details = { cached_tokens: usage.cacheReadTokens };
  if (usage.reasoningTokens > 0) body.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  Object.assign(body, context.usageExtras(usage));
  if (usage.estimated) body.estimated = true;
  return body;
}

/** Token log probabilities in Chat Completions' shape (`logprobs.content[]`, each with its UTF-8 bytes and its `top_logprobs`). */
export function chatLogprobs(logprobs: readonly TokenLogprob[]): Record<string, unknown> {
  const bytes = (token: string) => [...Buffer.from(token, "utf8")];
  return {
    content: logprobs.map((entry) => ({
      token: entry.token,
      logprob: entry.logprob,
      bytes: bytes(entry.token),
      top_logprobs: entry.top.map((alternative) => ({ token: alternative.token, logprob: alternative.logprob, bytes: bytes(alternative.token) })),
    })),
    refusal: null,
  };
}

/** A finished choice's tool calls in Chat Completions' shape. */
export function chatToolCalls(choice: Choice): Array<Record<string, unknown>> {
  return choice.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
}

function chatMessage(choice: Choice): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: choice.text, refusal: choice.refusal };
  if (choice.reasoning !== null) message.reasoning_content = choice.reasoning;
  if (choice.toolCalls.length > 0) message.tool_calls = chatToolCalls(choice);
  return message;
}

export function writeChatCompletion(response: ModelResponse, context: AnswerContext): string {
  return JSON.stringify({
    id: response.id,
    object: "chat.completion",
    created: response.created,
    model: context.model,
    choices: response.choices.map((choice) => ({
      index: choice.index,
      message: chatMessage(choice),
      logprobs: choice.logprobs === undefined ? null : chatLogprobs(choice.logprobs),
      finish_reason: choice.finishReason,
    })),
    usage: chatUsage(response.usage, context),
  });
}
