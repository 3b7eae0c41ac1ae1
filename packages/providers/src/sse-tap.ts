import { createParser, type EventSourceParser } from "eventsource-parser";

/** Most a tap keeps of a stream's delivered events for estimating usage (bytes). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface UpstreamStreamError {
  message: string;
  code: string | null;
}

/**
 * Watches OpenAI-style SSE bytes on their way to the client without changing
 * them: notes `[DONE]`, the usage chunk and in-band errors. It keeps the raw
 * events that carried content so the delivered text can be counted when the
 * upstream sends no usage, and parses JSON only for events that need it.
 */
export class SseTap {
  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser;
  private keptBytes = 0;
  private readonly contentEvents: string[] = [];
  done = false;
  usage: ReportedUsage | null = null;
  error: UpstreamStreamError | null = null;
  eventCount = 0;

  constructor() {
    this.parser = createParser({ onEvent: (event) => this.onEvent(event.data) });
  }

  feed(chunk: Uint8Array): void {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
  }

  private onEvent(data: string): void {
    this.eventCount += 1;
    if (data === "[DONE]") {
      this.done = true;
      return;
    }
    if (data.includes('"usage"') && !/"usage"\s*:\s*null/.test(data)) this.readUsage(data);
    if (data.startsWith('{"error"') || data.includes('"error":{')) this.readError(data);
    if ((data.includes('"content"') || data.includes('"arguments"')) && this.keptBytes < MAX_KEPT_BYTES) {
      this.contentEvents.push(data);
      this.keptBytes += data.length;
    }
  }

  private readUsage(data: string): void {
    const parsed = safeParse(data);
    const usage = parsed?.usage;
    if (typeof usage !== "object" || usage === null) return;
    const record = usage as Record<string, unknown>;
    const prompt = nonNegativeInteger(record.prompt_tokens);
    const completion = nonNegativeInteger(record.completion_tokens);
    if (prompt === null || completion === null) return;
    this.usage = { promptTokens: prompt, completionTokens: completion, totalTokens: nonNegativeInteger(record.total_tokens) ?? prompt + completion };
  }

  private readError(data: string): void {
    const parsed = safeParse(data);
    const error = parsed?.error;
    if (typeof error !== "object" || error === null) return;
    const record = error as Record<string, unknown>;
    this.error = {
      message: typeof record.message === "string" ? record.message : "the upstream reported an error mid-stream",
      code: typeof record.code === "string" ? record.code : null,
    };
  }

  /** The completion text delivered so far (content and tool-call arguments). */
  deliveredText(): string {
    let text = "";
    for (const data of this.contentEvents) {
      const parsed = safeParse(data);
      const choices = parsed?.choices;
      if (!Array.isArray(choices)) continue;
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
    }
    return text;
  }
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
