import type { AnswerContext, FinishReason, StreamEvent, StreamWriter, Usage } from "@bentoo/core";
import { anthropicUsage, messageId, stopReason } from "./write-answer.js";

type BlockKind = "text" | "thinking" | "tool_use";

/**
 * Stream events in Bentoo's own terms written as Anthropic's message stream
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming), each event
 * with its `event:` line, as Anthropic sends them (its SDKs skip events without
 * one):
 * - `message_start` opens the message; its usage is zero, since translated
 *   providers report usage at the end;
 * - text, reasoning and each tool call are content blocks, one open at a time:
 *   `content_block_start`, deltas (`text_delta`, `thinking_delta`,
 *   `input_json_delta`), `content_block_stop`;
 * - the usage event becomes `message_delta`, with the stop reason and the whole
 *   usage (input and cache counts included, which Anthropic's SDKs take from it);
 * - `message_stop` ends a complete stream. A stream that breaks ends with an
 *   `error` event instead (written by the dialect's streamError).
 * Only the first answer is written: the Messages API has one per request.
 */
export class MessagesStreamWriter implements StreamWriter {
  #started = false;
  /** The index of the last block opened, and its kind while it is open. */
  #index = -1;
  #open: BlockKind | null = null;
  /** Tool call index → its block index. */
  readonly #tools = new Map<number, number>();
  #reason: FinishReason = "stop";
  #stopSequence: string | undefined;
  #delta = false;

  constructor(private readonly context: AnswerContext) {}

  event(event: StreamEvent): string {
    if (event.type === "start") return this.#start(event.id);
    if (event.type === "usage") return this.#start("bentoo") + this.#close() + this.#messageDelta(event.usage);
    if (event.choice !== 0) return "";
    const opening = this.#start("bentoo");
    switch (event.type) {
      case "text-delta":
        return (
          opening +
          this.#into("text", { type: "text", text: "" }) +
          this.#write("content_block_delta", { index: this.#index, delta: { type: "text_delta", text: event.text } })
        );
      case "reasoning-delta":
        return (
          opening +
          this.#into("thinking", { type: "thinking", thinking: "", signature: "" }) +
          this.#write("content_block_delta", { index: this.#index, delta: { type: "thinking_delta", thinking: event.text } })
        );
      case "tool-call-start": {
        const out = opening + this.#close() + this.#openBlock("tool_use", { type: "tool_use", id: event.id, name: event.name, input: {} });
        this.#tools.set(event.index, this.#index);
        return out;
      }
      case "tool-call-delta": {
        const index = this.#tools.get(event.index);
        if (index === undefined || event.arguments === "") return opening;
        return opening + this.#write("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: event.arguments } });
      }
      case "tool-call-end":
        return opening + (this.#open === "tool_use" && this.#tools.get(event.index) === this.#index ? this.#close() : "");
      case "finish":
        this.#reason = event.reason;
        this.#stopSequence = event.stopSequence;
        return opening + this.#close();
    }
  }

  end(): string {
    // Every provider reports usage before the end; a stream without it still says why it stopped.
    const delta = this.#delta ? "" : this.#write("message_delta", { delta: this.#stopDelta(), usage: { output_tokens: 0 } });
    return this.#start("bentoo") + this.#close() + delta + this.#write("message_stop", {});
  }

  #start(id: string): string {
    if (this.#started) return "";
    this.#started = true;
    const message = {
      id: messageId(id),
      type: "message",
      role: "assistant",
      model: this.context.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
    };
    return this.#write("message_start", { message });
  }

  /** The open block when it is of `kind`, else a new one of that kind (the open one closed first). */
  #into(kind: BlockKind, block: Record<string, unknown>): string {
    return this.#open === kind ? "" : this.#close() + this.#openBlock(kind, block);
  }

  #openBlock(kind: BlockKind, block: Record<string, unknown>): string {
    this.#index += 1;
    this.#open = kind;
    return this.#write("content_block_start", { index: this.#index, content_block: block });
  }

  #close(): string {
    if (this.#open === null) return "";
    this.#open = null;
    return this.#write("content_block_stop", { index: this.#index });
  }

  #stopDelta(): Record<string, unknown> {
    return { stop_reason: stopReason(this.#reason, this.#stopSequence), stop_sequence: this.#stopSequence ?? null };
  }

  #messageDelta(usage: Usage): string {
    this.#delta = true;
    return this.#write("message_delta", { delta: this.#stopDelta(), usage: anthropicUsage(usage) });
  }

  #write(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  }
}
