import type { StreamEvent, StreamWriter, Usage } from "@bentoo/core";
import { answerContext, type ProviderCall } from "../provider.js";
import { SseEvents } from "../sse-events.js";
import type { StreamEnd, StreamTranslation } from "../stream-relay.js";
import { countedUsage } from "../tokenizer.js";
import { sanitizeUpstreamMessage } from "../upstream-status.js";
import { finishReason, isObject, reasoningText } from "./translated-answer.js";
import { readOpenAiUsage } from "./usage.js";

/**
 * A Chat Completions stream in Bentoo's stream events, written in the client's
 * own API as they arrive (https://platform.openai.com/docs/api-reference/chat-streaming):
 * - the first chunk opens the answer (its id and `created`);
 * - each choice's `delta.content` (and `refusal`) is text, its reasoning text
 *   (`reasoning_content` / `reasoning`) is reasoning, and each
 *   `delta.tool_calls[i]` is a tool call: started when first seen (with its id
 *   and name), then its argument fragments;
 * - a choice's `finish_reason` ends its open tool calls and the choice;
 * - the usage chunk (always asked for) is the usage; `data: [DONE]` ends a
 *   complete stream: the usage event, then the client API's end;
 * - an `{"error": …}` event is an in-band failure.
 * A stream cut before its usage is metered from what was delivered.
 */
export class OpenAiChatStreamTranslation implements StreamTranslation {
  readonly #call: ProviderCall;
  readonly #writer: StreamWriter;
  readonly #sse = new SseEvents((data) => this.#event(data));
  readonly #created: number;
  #started = false;
  /** Open tool calls by `choice:index`. */
  readonly #tools = new Map<string, { choice: number; index: number }>();
  #usage: Usage | null = null;
  #done = false;
  #error: string | null = null;
  /** Text, reasoning and arguments delivered, to count when the provider's count never came. */
  #delivered = "";

  constructor(call: ProviderCall, created: number) {
    this.#call = call;
    this.#created = created;
    this.#writer = call.client.answers.stream(answerContext(call));
  }

  chunk(bytes: Buffer): string | null {
    return this.#sse.feed(bytes);
  }

  finish(): StreamEnd {
    this.#sse.flush();
    return { tail: this.#sse.take(), usage: this.#meteredUsage(), done: this.#done, error: this.#done ? null : this.#error };
  }

  #emit(event: StreamEvent): void {
    this.#sse.write(this.#writer.event(event));
  }

  #event(data: string): void {
    if (this.#done) return;
    if (data.trim() === "[DONE]") {
      this.#end();
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return;
    }
    if (!isObject(chunk)) return;
    if (isObject(chunk.error)) {
      const message = chunk.error.message;
      this.#error = sanitizeUpstreamMessage(typeof message === "string" ? message : "an error");
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.#emit({ type: "start", id: typeof chunk.id === "string" ? chunk.id : "chatcmpl-unknown", created: this.#created });
    }
    if (Array.isArray(chunk.choices)) for (const choice of chunk.choices) if (isObject(choice)) this.#choice(choice);
    const usage = readOpenAiUsage(chunk.usage);
    if (usage !== null) this.#usage = usage;
  }

  #choice(choice: Record<string, unknown>): void {
    const index = typeof choice.index === "number" ? choice.index : 0;
    const delta = isObject(choice.delta) ? choice.delta : {};
    const reasoning = reasoningText(delta);
    if (reasoning !== null && reasoning !== "") {
      this.#delivered += reasoning;
      this.#emit({ type: "reasoning-delta", choice: index, text: reasoning });
    }
    for (const text of [delta.content, delta.refusal]) {
      if (typeof text !== "string" || text === "") continue;
      this.#delivered += text;
      this.#emit({ type: "text-delta", choice: index, text });
    }
    if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) if (isObject(call)) this.#toolCall(index, call);
    if (choice.finish_reason != null) {
      for (const [key, tool] of this.#tools) {
        if (tool.choice !== index) continue;
        this.#emit({ type: "tool-call-end", choice: index, index: tool.index });
        this.#tools.delete(key);
      }
      this.#emit({ type: "finish", choice: index, reason: finishReason(choice.finish_reason) });
    }
  }

  #toolCall(choice: number, call: Record<string, unknown>): void {
    const position = typeof call.index === "number" ? call.index : 0;
    const key = `${choice}:${position}`;
    const fn = isObject(call.function) ? call.function : {};
    if (!this.#tools.has(key)) {
      this.#tools.set(key, { choice, index: position });
      const name = typeof fn.name === "string" ? fn.name : "";
      this.#delivered += name;
      this.#emit({ type: "tool-call-start", choice, index: position, id: typeof call.id === "string" ? call.id : "", name });
    }
    if (typeof fn.arguments === "string" && fn.arguments !== "") {
      this.#delivered += fn.arguments;
      this.#emit({ type: "tool-call-delta", choice, index: position, arguments: fn.arguments });
    }
  }

  #end(): void {
    // A server that ends without a finish reason still ends its tool calls.
    for (const tool of this.#tools.values()) this.#emit({ type: "tool-call-end", choice: tool.choice, index: tool.index });
    this.#tools.clear();
    this.#done = true;
    this.#emit({ type: "usage", usage: this.#meteredUsage() });
    this.#sse.write(this.#writer.end());
  }

  /** The provider's usage; without one (a stream cut short, a server that reports none), the prompt and what was delivered, counted. */
  #meteredUsage(): Usage {
    return this.#usage ?? countedUsage(this.#call.client.request, this.#delivered);
  }
}
