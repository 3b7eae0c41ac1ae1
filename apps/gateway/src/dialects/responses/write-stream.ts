import type { AnswerContext, BentooError, FinishReason, JsonObject, StreamEvent, StreamWriter, Usage } from "@bentoo/core";
import { outputItemId } from "./item-ids.js";
import {
  failureOf,
  functionCallItem,
  messageItem,
  outputText,
  type ResponseShell,
  reasoningItem,
  responseObject,
  responsesUsage,
  statusOf,
} from "./response-object.js";

/**
 * Stream events in Bentoo's own terms written as the Responses API's semantic
 * events, each numbered by `sequence_number`: `response.created` and
 * `response.in_progress`; per output item `response.output_item.added` …
 * `response.output_item.done`, with a message's `response.content_part.added`,
 * `response.output_text.delta`/`.done` and `response.content_part.done`, a
 * function call's `response.function_call_arguments.delta`/`.done`, and
 * reasoning as a summary (`response.reasoning_summary_part.added`,
 * `response.reasoning_summary_text.delta`/`.done`,
 * `response.reasoning_summary_part.done`). The stream ends with
 * `response.completed` or `response.incomplete`, or, when it broke, an `error`
 * event and `response.failed` (`terminal`).
 * https://platform.openai.com/docs/api-reference/responses-streaming
 */
type TextItem = { kind: "message" | "reasoning"; index: number; id: string; text: string; done: JsonObject | null };
type CallItem = { kind: "call"; index: number; id: string; callId: string; name: string; arguments: string; done: JsonObject | null };
type OpenItem = TextItem | CallItem;

export class ResponsesStreamWriter implements StreamWriter {
  #sequence = 0;
  #begun = false;
  readonly #items: OpenItem[] = [];
  /** The open message or reasoning item: the next text or reasoning delta goes on in it, anything else closes it. */
  #current: TextItem | null = null;
  /** Open function calls by the stream's tool-call index. */
  readonly #calls = new Map<number, CallItem>();
  #finish: FinishReason | null = null;
  #usage: Usage | null = null;

  /** `holdEnd`: the stream's last event is written by whoever calls `terminal` (a stored response is written first), not by `end`. */
  constructor(
    private readonly shell: ResponseShell,
    private readonly context: AnswerContext,
    private readonly holdEnd: boolean,
  ) {}

  event(event: StreamEvent): string {
    let out = this.#begin();
    switch (event.type) {
      case "start":
        return out;
      case "usage":
        this.#usage = event.usage;
        return out;
      case "finish":
        if (event.choice !== 0) return out;
        this.#finish = event.reason;
        return out + this.#closeAll();
    }
    if (event.choice !== 0) return out;
    switch (event.type) {
      case "text-delta":
      case "reasoning-delta": {
        const kind = event.type === "text-delta" ? "message" : "reasoning";
        if (this.#current?.kind !== kind) out += this.#closeCurrent() + this.#open(kind);
        const item = this.#current!;
        item.text += event.text;
        return out + this.#delta(item, event.text);
      }
      case "tool-call-start": {
        out += this.#closeCurrent();
        const index = this.#items.length;
        const call: CallItem = {
          kind: "call",
          index,
          id: outputItemId(this.shell.id, "function_call", index),
          callId: event.id,
          name: event.name,
          arguments: "",
          done: null,
        };
        this.#items.push(call);
        this.#calls.set(event.index, call);
        return out + this.#send("response.output_item.added", { output_index: index, item: this.#callItem(call, "in_progress") });
      }
      case "tool-call-delta": {
        const call = this.#calls.get(event.index);
        if (call === undefined || call.done !== null || event.arguments === "") return out;
        call.arguments += event.arguments;
        return out + this.#send("response.function_call_arguments.delta", { item_id: call.id, output_index: call.index, delta: event.arguments });
      }
      case "tool-call-end": {
        const call = this.#calls.get(event.index);
        return call === undefined ? out : out + this.#close(call, "completed");
      }
    }
  }

  end(): string {
    return this.holdEnd ? "" : this.terminal(null, null).text;
  }

  /**
   * The stream's last events and the Response they carry: `response.completed`
   * (or `.incomplete`), or for a stream that broke an `error` event and
   * `response.failed`. `usage` stands in when the stream reported none.
   */
  terminal(failure: BentooError | null, usage: Usage | null): { text: string; response: JsonObject } {
    let out = this.#begin();
    const ending = failure === null ? statusOf(this.#finish) : { status: "failed" as const, incomplete: null, error: failureOf(failure) };
    out += this.#closeAll(ending.status === "completed" ? "completed" : "incomplete");
    const reported = this.#usage ?? usage;
    const response = responseObject(this.shell, {
      status: ending.status,
      output: this.#items.map((item) => item.done!),
      usage: reported === null ? null : responsesUsage(reported, this.context),
      error: ending.error,
      incomplete: ending.incomplete,
    });
    if (failure !== null) out += this.#send("error", { code: failure.code, message: failure.message, param: failure.param });
    const type = ending.status === "completed" ? "response.completed" : ending.status === "failed" ? "response.failed" : "response.incomplete";
    return { text: out + this.#send(type, { response }), response };
  }

  #begin(): string {
    if (this.#begun) return "";
    this.#begun = true;
    const response = responseObject(this.shell, { status: "in_progress", output: [], usage: null });
    return this.#send("response.created", { response }) + this.#send("response.in_progress", { response });
  }

  #open(kind: "message" | "reasoning"): string {
    const index = this.#items.length;
    const item: TextItem = { kind, index, id: outputItemId(this.shell.id, kind, index), text: "", done: null };
    this.#items.push(item);
    this.#current = item;
    if (kind === "message") {
      return (
        this.#send("response.output_item.added", { output_index: index, item: messageItem(item.id, "in_progress", []) }) +
        this.#send("response.content_part.added", { item_id: item.id, output_index: index, content_index: 0, part: outputText("") })
      );
    }
    return (
      this.#send("response.output_item.added", { output_index: index, item: reasoningItem(item.id, null) }) +
      this.#send("response.reasoning_summary_part.added", { item_id: item.id, output_index: index, summary_index: 0, part: { type: "summary_text", text: "" } })
    );
  }

  #delta(item: TextItem, text: string): string {
    if (item.kind === "message")
      return this.#send("response.output_text.delta", { item_id: item.id, output_index: item.index, content_index: 0, delta: text, logprobs: [] });
    return this.#send("response.reasoning_summary_text.delta", { item_id: item.id, output_index: item.index, summary_index: 0, delta: text });
  }

  #closeCurrent(status = "completed"): string {
    const current = this.#current;
    this.#current = null;
    return current === null ? "" : this.#close(current, status);
  }

  #closeAll(status?: string): string {
    const itemStatus = status ?? (statusOf(this.#finish).status === "completed" ? "completed" : "incomplete");
    let out = this.#closeCurrent(itemStatus);
    for (const call of this.#calls.values()) if (call.done === null) out += this.#close(call, itemStatus);
    return out;
  }

  #close(item: OpenItem, status: string): string {
    if (item.done !== null) return "";
    const place = { item_id: item.id, output_index: item.index };
    let out = "";
    if (item.kind === "call") {
      item.done = this.#callItem(item, status);
      out += this.#send("response.function_call_arguments.done", { ...place, name: item.name, arguments: item.arguments });
    } else if (item.kind === "message") {
      const part = outputText(item.text);
      item.done = messageItem(item.id, status, [part]);
      out += this.#send("response.output_text.done", { ...place, content_index: 0, text: item.text, logprobs: [] });
      out += this.#send("response.content_part.done", { ...place, content_index: 0, part });
    } else {
      item.done = reasoningItem(item.id, item.text);
      out += this.#send("response.reasoning_summary_text.done", { ...place, summary_index: 0, text: item.text });
      out += this.#send("response.reasoning_summary_part.done", { ...place, summary_index: 0, part: { type: "summary_text", text: item.text } });
    }
    return out + this.#send("response.output_item.done", { output_index: item.index, item: item.done });
  }

  #callItem(call: CallItem, status: string): JsonObject {
    return functionCallItem(call.id, status, call);
  }

  #send(type: string, members: JsonObject): string {
    const sequence = this.#sequence;
    this.#sequence += 1;
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...members })}\n\n`;
  }
}
