import { createParser } from "eventsource-parser";

/** Most a tap keeps of a stream's bytes for estimating usage (bytes). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
/**
 * How much of the end of a stream is read for `[DONE]`, the usage chunk and an
 * in-band error. They come last in OpenAI's format and a usage chunk is a few
 * hundred bytes, so the last 1 KiB nearly always holds them (and only a handful
 * of events, each parsed here); when it shows no usage chunk, the last 64 KiB
 * are read, then everything kept.
 */
const TAIL_STEPS = [1024, 64 * 1024];
const EVENT_BOUNDARIES = ["\n\n", "\r\r", "\r\n\r\n"].map((separator) => Buffer.from(separator));

export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface UpstreamStreamError {
  message: string;
  code: string | null;
}

/** What the end of a stream said. */
export interface StreamEnding {
  /** The upstream sent `[DONE]`. */
  done: boolean;
  usage: ReportedUsage | null;
  error: UpstreamStreamError | null;
}

/**
 * Watches OpenAI-style SSE bytes on their way to the client without changing or
 * even reading them: `feed` only keeps a reference to each chunk. When the
 * stream is over, `ending()` parses its last events for `[DONE]`, the usage chunk
 * and an in-band error; only when there was no usage does `deliveredText()`
 * parse the whole stream, to count what was delivered.
 */
export class SseTap {
  /** The stream's first MAX_KEPT_BYTES, by reference. */
  private readonly kept: Uint8Array[] = [];
  private keptBytes = 0;
  /** Once `kept` is full: the latest chunks, at least the largest tail step's worth. */
  private readonly overflow: Uint8Array[] = [];
  private overflowBytes = 0;

  feed(chunk: Uint8Array): void {
    if (this.keptBytes < MAX_KEPT_BYTES) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
      return;
    }
    this.overflow.push(chunk);
    this.overflowBytes += chunk.length;
    while (this.overflow.length > 1 && this.overflowBytes - this.overflow[0]!.length >= TAIL_STEPS.at(-1)!) {
      this.overflowBytes -= this.overflow.shift()!.length;
    }
  }

  /** Reads the last events of the stream fed so far. */
  ending(): StreamEnding {
    let ending = this.endingWithin(TAIL_STEPS[0]!);
    for (const bytes of [...TAIL_STEPS.slice(1), Number.POSITIVE_INFINITY]) {
      if (ending.usage !== null || !ending.cut) break;
      ending = this.endingWithin(bytes);
    }
    return { done: ending.done, usage: ending.usage, error: ending.error };
  }

  /** The ending as read from the last `bytes` bytes; `cut` when the stream had more than that. */
  private endingWithin(bytes: number): StreamEnding & { cut: boolean } {
    const { tail, cut } = this.lastBytes(bytes);
    const ending = { done: false, usage: null as ReportedUsage | null, error: null as UpstreamStreamError | null, cut };
    eachEvent(cut ? tail.subarray(firstEventStart(tail)) : tail, (data) => {
      if (data === "[DONE]") {
        ending.done = true;
        return;
      }
      if (data.includes('"usage"') && !/"usage"\s*:\s*null/.test(data)) ending.usage = readUsage(data) ?? ending.usage;
      if (data.startsWith('{"error"') || data.includes('"error":{')) ending.error = readError(data) ?? ending.error;
    });
    return ending;
  }

  /**
   * The last `bytes` bytes fed (copied only when they span chunks); `cut` when
   * the stream had more. Once `kept` is full, the tail comes from `overflow`
   * alone: the chunks between the two were not kept.
   */
  private lastBytes(bytes: number): { tail: Buffer; cut: boolean } {
    const chunks = this.overflow.length > 0 ? this.overflow : this.kept;
    let taken = 0;
    let first = chunks.length;
    while (first > 0 && taken < bytes) taken += chunks[--first]!.length;
    const cut = first > 0 || taken > bytes || this.overflow.length > 0;
    const only = first === chunks.length - 1 ? chunks[first]! : null;
    const joined = only !== null ? Buffer.from(only.buffer, only.byteOffset, only.length) : Buffer.concat(chunks.slice(first), taken);
    return { tail: taken > bytes ? joined.subarray(taken - bytes) : joined, cut };
  }

  /** The completion text delivered so far (content and tool-call arguments). */
  deliveredText(): string {
    let text = "";
    eachEvent(Buffer.concat(this.kept, this.keptBytes), (data) => {
      if (!data.includes('"content"') && !data.includes('"arguments"')) return;
      const choices = safeParse(data)?.choices;
      if (!Array.isArray(choices)) return;
      for (const choice of choices) {
        const delta = (choice as { delta?: unknown } | null)?.delta;
        if (typeof delta !== "object" || delta === null) continue;
        const record = delta as Record<string, unknown>;
        if (typeof record.content === "string") text += record.content;
        if (Array.isArray(record.tool_calls)) {
          for (const call of record.tool_calls) {
            const args = (call as { function?: { arguments?: unknown } } | null)?.function?.arguments;
            if (typeof args === "string") text += args;
          }
        }
      }
    });
    return text;
  }
}

/** Where the first whole event of a tail starts: after the first blank line in it. */
function firstEventStart(tail: Buffer): number {
  let start = tail.length;
  for (const boundary of EVENT_BOUNDARIES) {
    const at = tail.indexOf(boundary);
    if (at !== -1 && at + boundary.length < start) start = at + boundary.length;
  }
  return start;
}

function eachEvent(bytes: Buffer, onData: (data: string) => void): void {
  const parser = createParser({ onEvent: (event) => onData(event.data) });
  parser.feed(bytes.toString("utf8"));
}

function readUsage(data: string): ReportedUsage | null {
  return reportedUsage(safeParse(data)?.usage);
}

/**
 * A usage object as an upstream reports it (`prompt_tokens`, `completion_tokens`,
 * optionally `total_tokens`), when its counts are non-negative integers; else null.
 */
export function reportedUsage(usage: unknown): ReportedUsage | null {
  if (typeof usage !== "object" || usage === null) return null;
  const record = usage as Record<string, unknown>;
  const prompt = nonNegativeInteger(record.prompt_tokens);
  const completion = nonNegativeInteger(record.completion_tokens);
  if (prompt === null || completion === null) return null;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: nonNegativeInteger(record.total_tokens) ?? prompt + completion };
}

function readError(data: string): UpstreamStreamError | null {
  const error = safeParse(data)?.error;
  if (typeof error !== "object" || error === null) return null;
  const record = error as Record<string, unknown>;
  return {
    message: typeof record.message === "string" ? record.message : "the upstream reported an error mid-stream",
    code: typeof record.code === "string" ? record.code : null,
  };
}

function safeParse(data: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function nonNegativeInteger(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}
