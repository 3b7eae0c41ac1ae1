import { basicUsage, type Usage } from "@bentoo/core";
import { createParser } from "eventsource-parser";
import { applyEdits, type ByteEdit, latin1View } from "../byte-edits.js";
import type { ProviderCall } from "../provider.js";
import { SseFramer } from "../sse-framer.js";
import type { StreamEnd, StreamTranslation } from "../stream-relay.js";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { sanitizeUpstreamMessage } from "../upstream-status.js";
import { type AnthropicCounts, anthropicCounts, isObject, mergeCounts, usageOf } from "./answer.js";

/** Most of a stream kept to count what was delivered when the provider's count never came (bytes). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
/** A run of events holds one Bentoo reads only when one of these occurs in it; content deltas pass without a look. */
const WATCHED = ["message_", "error"];

/** One event of a run: where it lies (latin1 offsets = byte offsets) and what it says. */
interface SseEvent {
  start: number;
  end: number;
  name: string;
  data: string;
}

/**
 * An `anthropic` provider's message stream for a client of the same API. Events
 * pass as the provider sent them, cut only at event boundaries (SseFramer), but
 * for what Bentoo owns
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
 * - `message_start` names the catalog model, as JSON answers do; its usage (the
 *   input and cache counts) is read;
 * - `message_delta` is read for the cumulative usage (the output count);
 * - `message_stop` marks the stream complete;
 * - an `error` event is left out: the pipeline ends the stream with Bentoo's own
 *   error event, which names the provider and carries its message.
 * A stream cut before `message_delta` is metered from the input the provider
 * reported and the output delivered, counted.
 */
export class AnthropicMessagesPassthrough implements StreamTranslation {
  readonly #framer = new SseFramer();
  readonly #call: ProviderCall;
  #counts: AnthropicCounts | null = null;
  /** Whether `message_delta` reported the output count. */
  #final = false;
  #done = false;
  #error: string | null = null;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;

  constructor(call: ProviderCall) {
    this.#call = call;
  }

  chunk(bytes: Buffer): Buffer | null {
    const events = this.#framer.push(bytes);
    return events === null ? null : this.#relay(events);
  }

  finish(): StreamEnd {
    const rest = this.#framer.rest();
    const tail = rest === null ? null : this.#relay(rest);
    return { tail, usage: this.#usage(), done: this.#done, error: this.#done ? null : this.#error };
  }

  /** One run of complete events, as the client gets it. */
  #relay(events: Buffer): Buffer {
    this.#keep(events);
    const view = events.toString("latin1");
    if (!WATCHED.some((word) => view.includes(word))) return events;
    const edits: ByteEdit[] = [];
    for (const event of sseEvents(events, view)) {
      const edit = this.#read(event);
      if (edit !== null) edits.push(edit);
    }
    return applyEdits(events, view, edits);
  }

  /** Reads one event; the edit it needs, if any. */
  #read(event: SseEvent): ByteEdit | null {
    if (this.#done) return null;
    switch (event.name) {
      case "message_start":
        return this.#start(event);
      case "message_delta": {
        const counts = anthropicCounts(parse(event.data)?.usage);
        if (counts !== null) {
          this.#counts = mergeCounts(this.#counts, counts);
          this.#final ||= counts.output !== null;
        }
        return null;
      }
      case "message_stop":
        this.#done = true;
        return null;
      case "error": {
        const error = parse(event.data)?.error;
        const message = isObject(error) && typeof error.message === "string" ? error.message : "an error";
        this.#error = sanitizeUpstreamMessage(message);
        return { start: event.start, end: event.end, text: "" };
      }
      default:
        return null;
    }
  }

  /** `message_start` with the catalog's model, its usage read. */
  #start(event: SseEvent): ByteEdit | null {
    const data = parse(event.data);
    const message = data?.message;
    if (!isObject(message)) return null;
    this.#counts = anthropicCounts(message.usage);
    message.model = this.#call.model.id;
    return { start: event.start, end: event.end, text: latin1View(`event: message_start\ndata: ${JSON.stringify(data)}\n\n`) };
  }

  #keep(events: Buffer): void {
    if (this.#keptBytes >= MAX_KEPT_BYTES) return;
    this.#kept.push(events);
    this.#keptBytes += events.length;
  }

  /**
   * The provider's usage once `message_delta` reported the output; before that
   * (a stream cut short), the input it reported and the output delivered,
   * counted; with no report at all, both counted.
   */
  #usage(): Usage {
    const reported = this.#counts === null ? null : usageOf(this.#counts);
    if (reported !== null && this.#final) return reported;
    const delivered = countTokens(this.#deliveredText());
    if (reported === null) return basicUsage(countRequestTokens(this.#call.client.request), delivered, true);
    return { ...reported, outputTokens: Math.max(reported.outputTokens, delivered), estimated: true };
  }

  /** The text, thinking and tool input the stream delivered. */
  #deliveredText(): string {
    let text = "";
    const parser = createParser({
      onEvent: ({ data }) => {
        const delta = parse(data)?.delta;
        if (!isObject(delta)) return;
        if (typeof delta.text === "string") text += delta.text;
        else if (typeof delta.thinking === "string") text += delta.thinking;
        else if (typeof delta.partial_json === "string") text += delta.partial_json;
      },
    });
    parser.feed(Buffer.concat(this.#kept, this.#keptBytes).toString("utf8"));
    return text;
  }
}

/** The events of a run of complete events: each one's bounds (through its blank line), name and data. */
function sseEvents(bytes: Buffer, view: string): SseEvent[] {
  const events: SseEvent[] = [];
  let start = 0;
  let name = "";
  let data: string[] = [];
  let at = 0;
  while (at < view.length) {
    const newline = view.indexOf("\n", at);
    const lineEnd = newline === -1 ? view.length : newline;
    const next = newline === -1 ? view.length : newline + 1;
    const contentEnd = lineEnd > at && view.charCodeAt(lineEnd - 1) === 0x0d ? lineEnd - 1 : lineEnd;
    if (contentEnd === at) {
      if (name !== "" || data.length > 0) events.push({ start, end: next, name, data: data.join("\n") });
      start = next;
      name = "";
      data = [];
    } else if (view.startsWith("event:", at)) {
      name = view.slice(at + 6, contentEnd).trim();
    } else if (view.startsWith("data:", at)) {
      const valueStart = view.charCodeAt(at + 5) === 0x20 ? at + 6 : at + 5;
      data.push(bytes.toString("utf8", valueStart, contentEnd));
    }
    at = next;
  }
  if (name !== "" || data.length > 0) events.push({ start, end: view.length, name, data: data.join("\n") });
  return events;
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}
