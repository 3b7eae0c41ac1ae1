import type { Usage } from "@bentoo/core";
import { createParser } from "eventsource-parser";
import { applyEdits, type ByteEdit, latin1View, occurrences } from "../byte-edits.js";
import type { ProviderCall } from "../provider.js";
import { SseFramer } from "../sse-framer.js";
import type { StreamEnd, StreamTranslation } from "../stream-relay.js";
import { countedUsage } from "../tokenizer.js";
import { readOpenAiUsage } from "./usage.js";

/** Most of a stream kept to count what was delivered when the provider reports no usage (bytes). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
/** How much of a stream's end is read for `[DONE]` and an in-band error (bytes). */
const ENDING_BYTES = 64 * 1024;
const DONE_EVENTS = ["data: [DONE]", "data:[DONE]"].map((text) => Buffer.from(text));
const MODEL_MEMBER = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/;
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;
const LF = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * A provider's Chat Completions stream for a client of the same API. Events pass
 * as the provider sent them, cut only at event boundaries (SseFramer), with
 * Bentoo's members rewritten in the bytes:
 * - `model` in every chunk names the catalog id, as JSON answers do;
 * - the usage event (Bentoo always asks for it, to meter from the provider's own
 *   count) gains `usageExtras` (the cost) when the client asked for usage, and
 *   is left out when it did not (a `choices: []` chunk crashes clients that read
 *   `chunk.choices[0]`).
 * At the end it says whether `[DONE]` came, what usage was reported (else what
 * was delivered, counted), and any error the provider reported in the stream.
 * https://platform.openai.com/docs/api-reference/chat-streaming
 *
 * The bytes are searched and edited through a latin1 view of them (byte-edits.ts).
 */
export class OpenAiChatPassthrough implements StreamTranslation {
  readonly #framer = new SseFramer();
  readonly #call: ProviderCall;
  /** `"model":"<catalog id>"` (latin1 view), what every chunk's model member becomes. */
  readonly #model: string;
  /** The model member as the provider writes it (latin1), once seen; null when it already names the catalog id. */
  #providerModel: string | null | undefined;
  #usage: Usage | null = null;
  readonly #kept: Buffer[] = [];
  #keptBytes = 0;

  constructor(call: ProviderCall) {
    this.#call = call;
    this.#model = latin1View(`"model":${JSON.stringify(call.model.id)}`);
  }

  chunk(bytes: Buffer): Buffer | null {
    const events = this.#framer.push(bytes);
    return events === null ? null : this.#rewrite(events);
  }

  finish(): StreamEnd {
    const rest = this.#framer.rest();
    const tail = rest === null ? null : this.#rewrite(rest);
    const done = this.#endedWithDone();
    return { tail, usage: this.#usage ?? this.#deliveredUsage(), done, error: done ? null : reportedError(this.#ending()) };
  }

  /** One run of complete events, as the client gets it. */
  #rewrite(events: Buffer): Buffer {
    this.#keep(events);
    const text = events.toString("latin1");
    if (this.#providerModel === undefined) this.#learnModel(text);
    const usageEdit = this.#usageEdit(events, text);
    const edits: ByteEdit[] = [];
    if (this.#providerModel != null) {
      for (const at of occurrences(text, this.#providerModel)) {
        // A model member inside an event that is left out goes with it.
        if (usageEdit !== null && at >= usageEdit.start && at < usageEdit.end) continue;
        edits.push({ start: at, end: at + this.#providerModel.length, text: this.#model });
      }
    }
    if (usageEdit !== null) insertInOrder(edits, usageEdit);
    return applyEdits(events, text, edits);
  }

  /**
   * The edit of the run's last usage object, if any: Bentoo's members added to it
   * (the client asked for usage), or its event left out (it did not, and the
   * event carries no choices). Only the usage object is parsed.
   */
  #usageEdit(events: Buffer, text: string): ByteEdit | null {
    const mark = text.lastIndexOf('"usage"');
    if (mark === -1) return null;
    // Streams that asked for usage carry `"usage":null` in every other chunk: only an object is read.
    const open = valueStart(text, mark + '"usage"'.length);
    if (text.charCodeAt(open) !== OPEN_BRACE) return null;
    const close = objectEnd(text, open);
    const reported = close === -1 ? null : parseObject(events.toString("utf8", open, close));
    const usage = reported === null ? null : readOpenAiUsage(reported);
    if (usage === null) return null;
    this.#usage = usage;
    if (this.#call.client.streamUsage) return withExtras(open, close, reported!, this.#call.usageExtras(usage));
    const lineStart = text.lastIndexOf("\n", mark) + 1;
    const lineEnd = text.indexOf("\n", close);
    if (lineEnd === -1 || !EMPTY_CHOICES.test(text.slice(lineStart, lineEnd))) return null;
    // The event and the blank line after it go.
    const blankLineEnd = text.indexOf("\n", lineEnd + 1);
    return { start: lineStart, end: blankLineEnd === -1 ? text.length : blankLineEnd + 1, text: "" };
  }

  #learnModel(text: string): void {
    const member = MODEL_MEMBER.exec(text)?.[0];
    if (member !== undefined) this.#providerModel = member === this.#model ? null : member;
  }

  #keep(events: Buffer): void {
    if (this.#keptBytes >= MAX_KEPT_BYTES) return;
    this.#kept.push(events);
    this.#keptBytes += events.length;
  }

  /** Whether a `data: [DONE]` event came: looked for from the end, where it is. */
  #endedWithDone(): boolean {
    let searched = 0;
    for (let index = this.#kept.length - 1; index >= 0 && searched < ENDING_BYTES; index -= 1) {
      const run = this.#kept[index]!;
      for (const done of DONE_EVENTS) {
        const at = run.lastIndexOf(done);
        if (at !== -1 && (at === 0 || run[at - 1] === LF)) return true;
      }
      searched += run.length;
    }
    return false;
  }

  /** The last runs of the stream, about ENDING_BYTES of them. */
  #ending(): string {
    let first = this.#kept.length;
    let bytes = 0;
    while (first > 0 && bytes < ENDING_BYTES) bytes += this.#kept[--first]!.length;
    return Buffer.concat(this.#kept.slice(first)).toString("utf8");
  }

  /** Usage counted by Bentoo when the provider reported none: the prompt, and the text and tool-call arguments delivered. */
  #deliveredUsage(): Usage {
    let text = "";
    const parser = createParser({
      onEvent: ({ data }) => {
        if (data.includes('"content"') || data.includes('"arguments"')) text += deltaText(data);
      },
    });
    parser.feed(Buffer.concat(this.#kept, this.#keptBytes).toString("utf8"));
    return countedUsage(this.#call.client.request, text);
  }
}

/** Puts `edit` among `edits` (ordered by start), after those that start before it. */
function insertInOrder(edits: ByteEdit[], edit: ByteEdit): void {
  let index = edits.length;
  while (index > 0 && edits[index - 1]!.start > edit.start) index -= 1;
  edits.splice(index, 0, edit);
}

/** Where a member's value starts, given the index just after its key: past the colon and JSON whitespace (-1 without a colon). */
function valueStart(text: string, afterKey: number): number {
  let at = afterKey;
  while (isSpace(text.charCodeAt(at))) at += 1;
  if (text.charCodeAt(at) !== COLON) return -1;
  at += 1;
  while (isSpace(text.charCodeAt(at))) at += 1;
  return at;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** The index just past the object that opens at `open` (strings skipped), or -1 when it does not close. */
function objectEnd(text: string, open: number): number {
  let depth = 0;
  for (let at = open; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      for (at += 1; at < text.length && text.charCodeAt(at) !== QUOTE; at += 1) if (text.charCodeAt(at) === BACKSLASH) at += 1;
    } else if (code === OPEN_BRACE) depth += 1;
    else if (code === CLOSE_BRACE && --depth === 0) return at + 1;
  }
  return -1;
}

/**
 * The edit that gives the usage object [open, close) Bentoo's members: added
 * before its closing brace (its own bytes untouched), or, when the provider
 * reported a member of the same name, the object written again with ours.
 */
function withExtras(open: number, close: number, reported: Record<string, unknown>, extras: Record<string, unknown>): ByteEdit {
  for (const name in extras)
    if (Object.hasOwn(reported, name)) return { start: open, end: close, text: latin1View(JSON.stringify(Object.assign({}, reported, extras))) };
  const members = JSON.stringify(extras);
  // The object was read as usage, so it has members and the new ones follow a comma.
  return { start: close - 1, end: close - 1, text: members.length <= 2 ? "" : latin1View(`,${members.slice(1, -1)}`) };
}

/** The message of an error event (`data: {"error": {...}}`) among `events`, if any. */
function reportedError(events: string): string | null {
  if (!events.includes('"error"')) return null;
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
  parser.feed(events);
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
