import type { Writable } from "node:stream";
import type { ChatAdapter, ChatCall, ChatResult, StreamOutcome, Usage } from "../adapter.js";
import { writeChunk } from "../stream-writer.js";
import { sandboxAnswer, type SandboxAnswer } from "./answer.js";

export const SANDBOX_PROVIDER_ID = "sandbox";

/**
 * Serves every `test`-mode key: OpenAI-shaped answers derived from the request,
 * real token counts, never a network call and never a charge.
 */
export class SandboxAdapter implements ChatAdapter {
  readonly providerId = SANDBOX_PROVIDER_ID;

  async chat(call: ChatCall): Promise<ChatResult> {
    const answer = sandboxAnswer(call);
    const usage: Usage = {
      promptTokens: answer.promptTokens,
      completionTokens: answer.completionTokens,
      totalTokens: answer.promptTokens + answer.completionTokens,
      estimated: false,
    };
    const created = Math.floor(Date.now() / 1000);
    if (!call.stream) {
      const body = completionBody(call, answer, usage, created);
      return { kind: "json", usage, render: (reported) => JSON.stringify({ ...body, usage: reported }) };
    }
    return { kind: "stream", pipeTo: (destination) => streamAnswer(destination, call, answer, usage, created) };
  }

  async close(): Promise<void> {}
}

function usageBody(usage: Usage) {
  return { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
}

function completionBody(call: ChatCall, answer: SandboxAnswer, usage: Usage, created: number): Record<string, unknown> {
  const message: Record<string, unknown> = { role: "assistant", content: answer.content, refusal: null };
  if (answer.toolCalls) message.tool_calls = answer.toolCalls;
  return {
    id: answer.id,
    object: "chat.completion",
    created,
    model: call.model.id,
    system_fingerprint: "bentoo_sandbox",
    choices: [{ index: 0, message, logprobs: null, finish_reason: answer.finishReason }],
    usage: usageBody(usage),
  };
}

/** Splits the content into word-sized deltas, like a real model's token stream. */
function contentDeltas(content: string): string[] {
  const parts = content.split(/(?= )/);
  return parts.length > 0 ? parts : [content];
}

async function streamAnswer(destination: Writable, call: ChatCall, answer: SandboxAnswer, usage: Usage, created: number): Promise<StreamOutcome> {
  const base = { id: answer.id, object: "chat.completion.chunk", created, model: call.model.id, system_fingerprint: "bentoo_sandbox" };
  const event = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`;
  const events: string[] = [event([{ index: 0, delta: { role: "assistant", content: answer.toolCalls ? null : "" }, logprobs: null, finish_reason: null }])];
  if (answer.toolCalls) {
    answer.toolCalls.forEach((toolCall, index) => {
      events.push(event([{ index: 0, delta: { tool_calls: [{ index, id: toolCall.id, type: "function", function: { name: toolCall.function.name, arguments: "" } }] }, logprobs: null, finish_reason: null }]));
      events.push(event([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: toolCall.function.arguments } }] }, logprobs: null, finish_reason: null }]));
    });
  } else {
    for (const delta of contentDeltas(answer.content ?? "")) events.push(event([{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }]));
  }
  events.push(event([{ index: 0, delta: {}, logprobs: null, finish_reason: answer.finishReason }]));
  events.push(event([], { usage: { ...usageBody(usage), ...(call.usageExtras?.(usage) ?? {}) } }));
  events.push("data: [DONE]\n\n");
  for (const text of events) {
    if (call.signal.aborted || !(await writeChunk(destination, text))) {
      return { usage: { ...usage, completionTokens: 0, totalTokens: usage.promptTokens }, completed: false, failure: null, clientAborted: true };
    }
  }
  return { usage, completed: true, failure: null, clientAborted: false };
}
