import {
  type AnswerContext,
  type BentooError,
  type Choice,
  type FinishReason,
  type JsonObject,
  type ModelResponse,
  totalTokens,
  type Usage,
} from "@bentoo/core";
import { outputItemId } from "./item-ids.js";

/**
 * The Response object of OpenAI's Responses API, made from Bentoo's answers.
 * https://platform.openai.com/docs/api-reference/responses/object
 */
export interface ResponseShell {
  /** "resp_…" */
  id: string;
  /** Unix seconds. */
  createdAt: number;
  /** The request members the object shows (parse-request.ts). */
  echo: JsonObject;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** How an answer that finished for `reason` ends: its status and, when incomplete, why. */
export function statusOf(reason: FinishReason | null): { status: ResponseStatus; incomplete: JsonObject | null; error: JsonObject | null } {
  if (reason === "length") return { status: "incomplete", incomplete: { reason: "max_output_tokens" }, error: null };
  if (reason === "content_filter") return { status: "incomplete", incomplete: { reason: "content_filter" }, error: null };
  if (reason === "error")
    return { status: "failed", incomplete: null, error: { code: "server_error", message: "The model stopped before its answer was complete." } };
  return { status: "completed", incomplete: null, error: null };
}

/** A broken stream's `error` member: OpenAI's codes are few, so Bentoo's own failures are `server_error` with Bentoo's message. */
export function failureOf(failure: BentooError): JsonObject {
  return { code: failure.code === "rate_limit_exceeded" ? "rate_limit_exceeded" : "server_error", message: failure.message };
}

/** The usage object: OpenAI's token classes, and Bentoo's cost members. */
export function responsesUsage(usage: Usage, context: AnswerContext): JsonObject {
  const body: JsonObject = {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: totalTokens(usage),
  };
  Object.assign(body, context.usageExtras(usage));
  if (usage.estimated) body.estimated = true;
  return body;
}

export function outputText(text: string): JsonObject {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

export function messageItem(id: string, status: string, content: JsonObject[]): JsonObject {
  return { id, type: "message", status, role: "assistant", content };
}

export function reasoningItem(id: string, text: string | null): JsonObject {
  return { id, type: "reasoning", summary: text === null ? [] : [{ type: "summary_text", text }] };
}

export function functionCallItem(id: string, status: string, call: { callId: string; name: string; arguments: string }): JsonObject {
  return { id, type: "function_call", status, arguments: call.arguments, call_id: call.callId, name: call.name };
}

/** A whole answer's output items: its reasoning, its message (text or refusal; an empty one when there is nothing else), its function calls. */
export function outputItems(responseId: string, choice: Choice, itemStatus: string): JsonObject[] {
  const items: JsonObject[] = [];
  if (choice.reasoning !== null) items.push(reasoningItem(outputItemId(responseId, "reasoning", items.length), choice.reasoning));
  if (choice.text !== null || choice.refusal !== null || choice.toolCalls.length === 0) {
    const content: JsonObject[] = [];
    if (choice.text !== null || choice.refusal === null) content.push(outputText(choice.text ?? ""));
    if (choice.refusal !== null) content.push({ type: "refusal", refusal: choice.refusal });
    items.push(messageItem(outputItemId(responseId, "message", items.length), itemStatus, content));
  }
  for (const call of choice.toolCalls) {
    items.push(
      functionCallItem(outputItemId(responseId, "function_call", items.length), "completed", { callId: call.id, name: call.name, arguments: call.arguments }),
    );
  }
  return items;
}

/** The Response object, members in OpenAI's order. */
export function responseObject(
  shell: ResponseShell,
  state: { status: ResponseStatus; output: JsonObject[]; usage: JsonObject | null; error?: JsonObject | null; incomplete?: JsonObject | null },
): JsonObject {
  const echo = shell.echo;
  return {
    id: shell.id,
    object: "response",
    created_at: shell.createdAt,
    status: state.status,
    background: false,
    error: state.error ?? null,
    incomplete_details: state.incomplete ?? null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model: echo.model,
    output: state.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    reasoning: echo.reasoning,
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: state.usage,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/** A whole answer as its Response object (the JSON answer; the first choice, as the Responses API has no others). */
export function answerResponse(shell: ResponseShell, response: ModelResponse, context: AnswerContext): JsonObject {
  const choice = response.choices[0]!;
  const ending = statusOf(choice.finishReason);
  return responseObject(shell, {
    status: ending.status,
    output: outputItems(shell.id, choice, ending.status === "completed" ? "completed" : "incomplete"),
    usage: responsesUsage(response.usage, context),
    error: ending.error,
    incomplete: ending.incomplete,
  });
}
