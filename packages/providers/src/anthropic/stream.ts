import { basicUsage, type FinishReason, type StreamEvent, type StreamWriter, type Usage } from "@bentoo/core";
import { answerContext, type ProviderCall } from "../provider.js";
import { SseEvents } from "../sse-events.js";
import type { StreamEnd, StreamTranslation } from "../stream-relay.js";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { sanitizeUpstreamMessage } from "../upstream-status.js";
import { type AnthropicCounts, anthropicCounts, finishReason, isObject, mergeCounts, usageOf } from "./answer.js";

/**
 * Anthropic's message stream in Bentoo's stream events, written in the client's
 * API as they arrive, following the streaming reference
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
 * - `message_start` opens the answer and carries the input usage;
 * - `content_block_start` / `content_block_delta` / `content_block_stop`: a text
 *   block's `text_delta`s are text deltas, a `tool_use` block is a tool call whose
 *   `input_json_delta`s are its argument deltas, a thinking block's
 *   `thinking_delta`s are reasoning deltas; signatures, citations and other
 *   blocks show nothing in a chat answer;
 * - `message_delta` carries the stop reason and the cumulative usage (output);
 * - `message_stop` ends a complete stream: the usage event, then the API's end;
 * - `ping` is nothing; an `error` event is an in-band failure
 *   (https://docs.anthropic.com/en/api/errors); unknown events are skipped, as
 *   the versioning policy asks (https://docs.anthropic.com/en/api/versioning).
 * A stream cut before `message_delta` is metered from what was delivered.
 */
export class AnthropicStreamTranslation implements StreamTranslation {
  readonly #call: ProviderCall;
  readonly #writer: StreamWriter;
  readonly #sse = new SseEvents((data) => this.#event(data));
  readonly #created: number;
  /** Content block index → the tool call it is (its index among the answer's tool calls, and whether arguments came). */
  readonly #tools = new Map<number, { index: number; arguments: boolean }>();
  #counts: AnthropicCounts | null = null;
  /** Whether `message_delta` reported the final output count. */
  #final = false;
  #finish: FinishReason | null = null;
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
    return { tail: this.#sse.take(), usage: this.#usage(), done: this.#done, error: this.#done ? null : this.#error };
  }

  #emit(event: StreamEvent): void {
    this.#sse.write(this.#writer.event(event));
  }

  #event(data: string): void {
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (!isObject(event) || this.#done) return;
    switch (event.type) {
      case "message_start":
        this.#start(event.message);
        return;
      case "content_block_start":
        this.#blockStart(event.index, event.content_block);
        return;
      case "content_block_delta":
        this.#delta(event.index, event.delta);
        return;
      case "content_block_stop":
        this.#blockStop(event.index);
        return;
      case "message_delta":
        this.#messageDelta(event.delta, event.usage);
        return;
      case "message_stop":
        this.#stop();
        return;
      case "error": {
        const error = isObject(event.error) ? event.error : {};
        this.#error = sanitizeUpstreamMessage(typeof error.message === "string" ? error.message : String(error.type ?? "an error"));
        return;
      }
    }
  }

  #start(message: unknown): void {
    const record = isObject(message) ? message : {};
    this.#counts = anthropicCounts(record.usage);
    this.#emit({ type: "start", id: typeof record.id === "string" ? record.id : "msg_unknown", created: this.#created });
  }

  #blockStart(index: unknown, block: unknown): void {
    if (typeof index !== "number" || !isObject(block)) return;
    if (block.type === "tool_use") {
      const tool = { index: this.#tools.size, arguments: false };
      this.#tools.set(index, tool);
      const id = typeof block.id === "string" ? block.id : "";
      const name = typeof block.name === "string" ? block.name : "";
      this.#delivered += name;
      this.#emit({ type: "tool-call-start", choice: 0, index: tool.index, id, name });
    } else if (block.type === "text" && typeof block.text === "string" && block.text !== "") {
      this.#text(block.text);
    } else if (block.type === "thinking" && typeof block.thinking === "string" && block.thinking !== "") {
      this.#reasoning(block.thinking);
    }
  }

  #delta(index: unknown, delta: unknown): void {
    if (!isObject(delta)) return;
    if (delta.type === "text_delta" && typeof delta.text === "string") this.#text(delta.text);
    else if (delta.type === "thinking_delta" && typeof delta.thinking === "string") this.#reasoning(delta.thinking);
    else if (delta.type === "input_json_delta" && typeof delta.partial_json === "string" && delta.partial_json !== "") {
      const tool = typeof index === "number" ? this.#tools.get(index) : undefined;
      if (tool === undefined) return;
      tool.arguments = true;
      this.#delivered += delta.partial_json;
      this.#emit({ type: "tool-call-delta", choice: 0, index: tool.index, arguments: delta.partial_json });
    }
  }

  #blockStop(index: unknown): void {
    const tool = typeof index === "number" ? this.#tools.get(index) : undefined;
    if (tool === undefined) return;
    // A call without arguments has `{}` as its input: its arguments are that JSON, as in a JSON answer.
    if (!tool.arguments) this.#emit({ type: "tool-call-delta", choice: 0, index: tool.index, arguments: "{}" });
    this.#emit({ type: "tool-call-end", choice: 0, index: tool.index });
  }

  #messageDelta(delta: unknown, usage: unknown): void {
    // Counts in message_delta are cumulative: each one reported replaces the count from message_start.
    const counts = anthropicCounts(usage);
    if (counts !== null) {
      this.#counts = mergeCounts(this.#counts, counts);
      this.#final = counts.output !== null;
    }
    if (isObject(delta) && delta.stop_reason != null) {
      this.#finish = finishReason(delta.stop_reason);
      const stopSequence = delta.stop_reason === "stop_sequence" && typeof delta.stop_sequence === "string" ? delta.stop_sequence : undefined;
      this.#emit(
        stopSequence === undefined ? { type: "finish", choice: 0, reason: this.#finish } : { type: "finish", choice: 0, reason: this.#finish, stopSequence },
      );
    }
  }

  #stop(): void {
    if (this.#finish === null) this.#emit({ type: "finish", choice: 0, reason: "stop" });
    this.#done = true;
    this.#emit({ type: "usage", usage: this.#usage() });
    this.#sse.write(this.#writer.end());
  }

  #text(text: string): void {
    this.#delivered += text;
    this.#emit({ type: "text-delta", choice: 0, text });
  }

  #reasoning(text: string): void {
    this.#delivered += text;
    this.#emit({ type: "reasoning-delta", choice: 0, text });
  }

  /**
   * The provider's usage once `message_delta` reported the output; before that
   * (a stream cut short), the input it reported and the output delivered,
   * counted; with no report at all, both counted.
   */
  #usage(): Usage {
    const reported = this.#counts === null ? null : usageOf(this.#counts);
    if (reported !== null && this.#final) return reported;
    const delivered = countTokens(this.#delivered);
    if (reported === null) return basicUsage(countRequestTokens(this.#call.client.request), delivered, true);
    return { ...reported, outputTokens: Math.max(reported.outputTokens, delivered), estimated: true };
  }
}
