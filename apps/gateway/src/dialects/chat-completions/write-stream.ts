import type { AnswerContext, StreamEvent, StreamWriter } from "@bentoo/core";
import { chatLogprobs, chatUsage } from "./write-answer.js";

const DONE = "data: [DONE]\n\n";

/**
 * Stream events in Bentoo's own terms written as Chat Completions chunks. Each
 * choice opens with a chunk carrying the assistant role, as OpenAI's streams do;
 * the usage chunk (`choices: []`) is written only when the client asked for it
 * with `stream_options.include_usage`.
 * https://platform.openai.com/docs/api-reference/chat-streaming
 */
export class ChatCompletionsStreamWriter implements StreamWriter {
  #id = "";
  #created = 0;
  readonly #opened = new Set<number>();

  constructor(private readonly context: AnswerContext) {}

  event(event: StreamEvent): string {
    switch (event.type) {
      case "start":
        this.#id = event.id;
        this.#created = event.created;
        return "";
      case "text-delta":
        return (
          this.#open(event.choice, "") + this.#delta(event.choice, { content: event.text }, event.logprobs === undefined ? null : chatLogprobs(event.logprobs))
        );
      case "reasoning-delta":
        return this.#open(event.choice, "") + this.#delta(event.choice, { reasoning_content: event.text });
      case "tool-call-start":
        return (
          this.#open(event.choice, null) +
          this.#delta(event.choice, { tool_calls: [{ index: event.index, id: event.id, type: "function", function: { name: event.name, arguments: "" } }] })
        );
      case "tool-call-delta":
        return this.#delta(event.choice, { tool_calls: [{ index: event.index, function: { arguments: event.arguments } }] });
      case "tool-call-end":
        return "";
      case "finish":
        return this.#open(event.choice, "") + this.#chunk([{ index: event.choice, delta: {}, logprobs: null, finish_reason: event.reason }]);
      case "usage":
        return this.context.streamUsage ? this.#chunk([], chatUsage(event.usage, this.context)) : "";
    }
  }

  end(): string {
    return DONE;
  }

  /** The role chunk that opens a choice, the first time the choice shows anything. */
  #open(choice: number, content: string | null): string {
    if (this.#opened.has(choice)) return "";
    this.#opened.add(choice);
    return this.#delta(choice, { role: "assistant", content });
  }

  #delta(choice: number, delta: Record<string, unknown>, logprobs: Record<string, unknown> | null = null): string {
    return this.#chunk([{ index: choice, delta, logprobs, finish_reason: null }]);
  }

  #chunk(choices: unknown[], usage?: Record<string, unknown>): string {
    const chunk: Record<string, unknown> = { id: this.#id, object: "chat.completion.chunk", created: this.#created, model: this.context.model, choices };
    if (usage !== undefined) chunk.usage = usage;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }
}
