import { basicUsage, replaceValues, skipSpace, stringEnd, topLevelMembers, type Usage, type ValueSpan } from "@bentoo/core";
import { createParser } from "eventsource-parser";
import type { ProviderCall } from "../provider.js";
import { SseFramer } from "../sse-framer.js";
import type { StreamEnd, StreamTranslation } from "../stream-relay.js";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { readOpenAiUsage } from "./usage.js";

/** Most of a stream kept to count what was delivered when the provider reports no usage (bytes). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
const MODEL_KEY = Buffer.from('"model"');
const USAGE_KEY = Buffer.from('"usage"');
const ERROR_KEY = Buffer.from('"error"');
const EVENT_ENDS = ["\n\n", "\r\n\r\n"].map((text) => Buffer.from(text));
const DATA_FIELD = Buffer.from("data:");
const DONE_EVENTS = ["data: [DONE]", "data:[DONE]"].map((text) => Buffer.from(text));
const QUOTE = 0x22;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

type Replacement = [ValueSpan, string];

/**
 * A provider's Chat Completions stream for a client of the same API. The events
 * pass as the provider sent them, cut only at event boundaries (SseFramer), with
 * Bentoo's members rewritten in place:
 * - `model` in every chunk names the catalog id, as JSON answers do;
 * - the usage event (Bentoo always asks for it, to meter from the provider's own
 *   count) gains `usageExtras` (the cost) when the client asked for usage, and
 *   is left out when it did not (a `choices: []` chunk crashes clients that read
 *   `chunk.choices[0]`).
 * At the end it says whether `[DONE]` came, what usage was reported (else what
 * was delivered, counted), and any error the provider reported in the stream.
 * https://platform.openai.com/docs/api-reference/chat-streaming
 */
export class OpenAiChatPassthrough implements StreamTranslation {
  readonly #framer = new SseFramer();
  readonly #call: ProviderCall;
  readonly #model: string;
  /** `"model":"…"` as the provider writes it, once seen; null when it already names the catalog id. */
  #modelMember: Buffer | null | undefined;
  #usage: Usage | null = null;
  #done = false;
  #error: string | null = null;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;

  constructor(call: ProviderCall) {
    this.#call = call;
    this.#model = `"model":${JSON.stringify(call.model.id)}`;
  }

  chunk(bytes: Buffer): Buffer | null {
    const events = this.#framer.push(bytes);
    return events === null ? null : this.#rewrite(events);
  }

  finish(): StreamEnd {
    const rest = this.#framer.rest();
    const tail = rest === null ? null : this.#rewrite(rest);
    return { tail, usage: this.#usage ?? this.#deliveredUsage(), done: this.#done, error: this.#error };
  }

  /** One run of complete events, with Bentoo's members rewritten. */
  #rewrite(events: Buffer): Buffer {
    this.#keep(events);
    if (!this.#done) this.#done = DONE_EVENTS.some((done) => eventStartsWith(events, done));
    if (!this.#done && events.includes(ERROR_KEY)) this.#error = reportedError(events) ?? this.#error;
    const replacements: Replacement[] = [];
    const dropped = this.#usageEvent(events, replacements);
    this.#renameModel(events, replacements, dropped);
    return replacements.length === 0 ? events : replaceValues(events, replacements);
  }

  /** Reads the last usage event of the run; adds its rewrite (or its removal) to `replacements`. Returns the span removed, if any. */
  #usageEvent(events: Buffer, replacements: Replacement[]): ValueSpan | null {
    const mark = events.lastIndexOf(USAGE_KEY);
    // Streams that asked for usage carry `"usage":null` in every other chunk: only an object is read.
    if (mark === -1 || !objectFollows(events, mark + USAGE_KEY.length)) return null;
    const event = eventAround(events, mark);
    const dataStart = events.indexOf(DATA_FIELD, event.start);
    if (dataStart === -1 || dataStart > mark) return null;
    const [usageSpan, choicesSpan] = topLevelMembers(events, ["usage", "choices"], dataStart + DATA_FIELD.length, event.end) ?? [];
    if (usageSpan == null || events[usageSpan.start] !== OPEN_BRACE) return null;
    let reported: Record<string, unknown>;
    try {
      reported = JSON.parse(events.toString("utf8", usageSpan.start, usageSpan.end)) as Record<string, unknown>;
    } catch {
      return null;
    }
    const usage = readOpenAiUsage(reported);
    if (usage === null) return null;
    this.#usage = usage;
    if (this.#call.client.streamUsage) {
      replacements.push(withExtras(usageSpan, reported, this.#call.usageExtras(usage)));
      return null;
    }
    if (choicesSpan == null || !isEmptyList(events, choicesSpan)) return null;
    const removed = { start: event.start, end: event.next };
    replacements.push([removed, ""]);
    return removed;
  }

  /** Every `"model":"…"` of the run (outside a removed event) renamed to the catalog id. */
  #renameModel(events: Buffer, replacements: Replacement[], dropped: ValueSpan | null): void {
    if (this.#modelMember === undefined) this.#learnModelMember(events);
    const member = this.#modelMember;
    if (member == null) return;
    for (let at = events.indexOf(member); at !== -1; at = events.indexOf(member, at + member.length)) {
      if (dropped !== null && at >= dropped.start && at < dropped.end) continue;
      replacements.push([{ start: at, end: at + member.length }, this.#model]);
    }
  }

  #learnModelMember(events: Buffer): void {
    const key = events.indexOf(MODEL_KEY);
    if (key === -1) return;
    const colon = skipSpace(events, key + MODEL_KEY.length);
    const value = skipSpace(events, colon + 1);
    if (events[colon] !== COLON || events[value] !== QUOTE) return;
    const end = stringEnd(events, value);
    if (end === -1) return;
    const member = Buffer.from(events.subarray(key, end));
    this.#modelMember = member.toString("utf8") === this.#model ? null : member;
  }

  #keep(events: Buffer): void {
    if (this.#keptBytes >= MAX_KEPT_BYTES) return;
    this.#kept.push(events);
    this.#keptBytes += events.length;
  }

  /** Usage counted by Bentoo when the provider reported none: the prompt, and the text and tool-call arguments delivered. */
  #deliveredUsage(): Usage {
    let text = "";
    const parser = createParser({
      onEvent: ({ data }) => {
        if (!data.includes('"content"') && !data.includes('"arguments"')) return;
        text += deltaText(data);
      },
    });
    parser.feed(Buffer.concat(this.#kept, this.#keptBytes).toString("utf8"));
    return basicUsage(countRequestTokens(this.#call.client.request), countTokens(text), true);
  }
}

/** The event holding byte `at`: where it starts, where its blank line starts, and where the next event starts. */
function eventAround(events: Buffer, at: number): { start: number; end: number; next: number } {
  let start = 0;
  let end = events.length;
  let next = events.length;
  for (const boundary of EVENT_ENDS) {
    const before = events.lastIndexOf(boundary, at);
    if (before !== -1) start = Math.max(start, before + boundary.length);
    const after = events.indexOf(boundary, at);
    if (after !== -1 && after < end) {
      end = after;
      next = after + boundary.length;
    }
  }
  return { start, end, next };
}

/** Whether an event of the run (at its start, or after a newline) begins with `prefix`. */
function eventStartsWith(events: Buffer, prefix: Buffer): boolean {
  for (let at = events.indexOf(prefix); at !== -1; at = events.indexOf(prefix, at + 1)) {
    if (at === 0 || events[at - 1] === 0x0a) return true;
  }
  return false;
}

/** Whether the bytes after a key are a colon and an opening brace (JSON whitespace allowed around the colon). */
function objectFollows(events: Buffer, index: number): boolean {
  const colon = skipSpace(events, index);
  return events[colon] === COLON && events[skipSpace(events, colon + 1)] === OPEN_BRACE;
}

function isEmptyList(events: Buffer, span: ValueSpan): boolean {
  return events[span.start] === OPEN_BRACKET && events[skipSpace(events, span.start + 1, span.end)] === CLOSE_BRACKET;
}

/**
 * The usage object with Bentoo's members: added before its closing brace (its
 * own bytes untouched), or, when the provider reported a member of the same
 * name, written again with ours.
 */
function withExtras(span: ValueSpan, reported: Record<string, unknown>, extras: Record<string, unknown>): Replacement {
  for (const name in extras) if (Object.hasOwn(reported, name)) return [span, JSON.stringify(Object.assign({}, reported, extras))];
  const members = JSON.stringify(extras);
  const close = span.end - 1;
  // The object was read as usage, so it has members and the new ones follow a comma.
  return [{ start: close, end: close }, members.length <= 2 ? "" : `,${members.slice(1, -1)}`];
}

/** The message of an error event in the run (`data: {"error": {...}}`), if any. */
function reportedError(events: Buffer): string | null {
  let message: string | null = null;
  const parser = createParser({
    onEvent: ({ data }) => {
      const error = parseObject(data)?.error;
      if (typeof error === "object" && error !== null) {
        const text = (error as { message?: unknown }).message;
        message = typeof text === "string" ? text : "the provider reported an error mid-stream";
      }
    },
  });
  parser.feed(events.toString("utf8"));
  return message;
}

/** The content and tool-call arguments of one chunk's deltas. */
function deltaText(data: string): string {
  const choices = parseObject(data)?.choices;
  if (!Array.isArray(choices)) return "";
  let text = "";
  for (const choice of choices) {
    const delta = (choice as { delta?: unknown } | null)?.delta;
    if (typeof delta !== "object" || delta === null) continue;
    const record = delta as Record<string, unknown>;
    if (typeof record.content === "string") text += record.content;
    if (!Array.isArray(record.tool_calls)) continue;
    for (const call of record.tool_calls) {
      const args = (call as { function?: { arguments?: unknown } } | null)?.function?.arguments;
      if (typeof args === "string") text += args;
    }
  }
  return text;
}

function parseObject(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
