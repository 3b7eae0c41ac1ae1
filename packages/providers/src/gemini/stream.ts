import { basicUsage, type StreamEvent, type StreamWriter, type Usage } from "@bentoo/core";
import { createParser, type EventSourceParser } from "eventsource-parser";
import type { ProviderCall } from "../provider.js";
import type { StreamEnd, StreamTranslation } from "../stream-relay.js";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { sanitizeUpstreamMessage } from "../upstream-status.js";
import { blockedRefusal, finishReason } from "./answer.js";
import { newToolCallId } from "./tool-call-id.js";
import { geminiUsage } from "./usage.js";
import { type AnswerCandidate, type GeminiAnswer, parseJson, readGeminiAnswer, readGeminiError } from "./wire.js";

/** Most a single event may hold before the stream is treated as broken (characters). */
const MAX_EVENT_CHARACTERS = 32 * 1024 * 1024;

/**
 * A Gemini stream (`:streamGenerateContent?alt=sse`, https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent)
 * written in the client's API: each event is a GenerateContentResponse chunk,
 * read as stream events in Bentoo's terms (start; text and reasoning deltas;
 * each function call, which Gemini sends whole, as a tool-call start, one
 * arguments delta and an end; a finish per candidate; the usage of the last
 * chunk that reported one) and handed to the client API's stream writer.
 *
 * Gemini ends a stream without a terminator: it is complete once every candidate
 * it opened has a finish reason, or once it reported the prompt blocked (every
 * requested choice then finishes with content_filter). An event `{"error": …}`
 * is an error Gemini reported mid-stream.
 */
export class GeminiStream implements StreamTranslation {
  readonly #call: ProviderCall;
  readonly #writer: StreamWriter;
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  readonly #created: number;
  #out = "";
  #started = false;
  #blocked = false;
  /** Per candidate seen: how many function calls it made, and whether it finished. */
  readonly #candidates = new Map<number, { calls: number; finished: boolean }>();
  #usage: Usage | null = null;
  /** What was delivered, to count when Gemini reports no usage. */
  #delivered = "";
  #error: string | null = null;
  #ending = false;

  constructor(call: ProviderCall, writer: StreamWriter, created: number) {
    this.#call = call;
    this.#writer = writer;
    this.#created = created;
    this.#parser = createParser({
      onEvent: ({ data }) => this.#event(data),
      onError: (error) => {
        if (error.type === "max-buffer-size-exceeded") this.#error ??= "the provider sent an event larger than Bentoo reads";
      },
      maxBufferSize: MAX_EVENT_CHARACTERS,
    });
  }

  chunk(bytes: Buffer): string | null {
    // After an error the rest of the stream is not read (the parser may have stopped).
    if (this.#error === null) this.#parser.feed(this.#decoder.decode(bytes, { stream: true }));
    return this.#take();
  }

  finish(): StreamEnd {
    // A last event without its blank line still counts; a cut one (not JSON) does not.
    this.#ending = true;
    if (this.#error === null) this.#parser.feed(`${this.#decoder.decode()}\n\n`);
    const done = this.#error === null && (this.#blocked || (this.#candidates.size > 0 && [...this.#candidates.values()].every((seen) => seen.finished)));
    const usage = done && this.#usage !== null ? this.#usage : this.#deliveredUsage(this.#usage);
    if (done) this.#out += this.#writer.event({ type: "usage", usage }) + this.#writer.end();
    return { tail: this.#take(), usage, done, error: this.#error };
  }

  #take(): string | null {
    const out = this.#out;
    this.#out = "";
    return out === "" ? null : out;
  }

  #emit(event: StreamEvent): void {
    this.#out += this.#writer.event(event);
  }

  #event(data: string): void {
    if (this.#error !== null) return;
    const json = parseJson(data);
    const answer = readGeminiAnswer(json);
    if (answer === null) {
      const error = readGeminiError(json);
      const reported = error === null ? null : sanitizeUpstreamMessage(error.message);
      if (reported !== null || !this.#ending) this.#error = reported ?? "the provider sent an event that is not a GenerateContentResponse";
      return;
    }
    if (!this.#started) {
      this.#started = true;
      this.#emit({ type: "start", id: answer.responseId ?? `gemini-${this.#call.requestId}`, created: this.#created });
    }
    if (answer.usage !== null) this.#usage = geminiUsage(answer.usage);
    if (answer.blockReason !== null) this.#block(answer);
    for (const candidate of answer.candidates) this.#candidate(candidate);
  }

  #block(answer: GeminiAnswer): void {
    if (this.#blocked) return;
    this.#blocked = true;
    this.#delivered += blockedRefusal(answer.blockReason!);
    for (let choice = 0; choice < this.#call.client.request.choices; choice += 1) this.#emit({ type: "finish", choice, reason: "content_filter" });
  }

  #candidate(candidate: AnswerCandidate): void {
    const choice = candidate.index;
    let seen = this.#candidates.get(choice);
    if (seen === undefined) {
      seen = { calls: 0, finished: false };
      this.#candidates.set(choice, seen);
    }
    if (seen.finished) return;
    for (const part of candidate.parts) {
      if (part.kind === "function-call") {
        const index = seen.calls++;
        const args = JSON.stringify(part.args);
        this.#delivered += part.name + args;
        this.#emit({ type: "tool-call-start", choice, index, id: newToolCallId(part.signature), name: part.name });
        this.#emit({ type: "tool-call-delta", choice, index, arguments: args });
        this.#emit({ type: "tool-call-end", choice, index });
      } else if (part.text !== "") {
        this.#delivered += part.text;
        this.#emit(part.thought ? { type: "reasoning-delta", choice, text: part.text } : { type: "text-delta", choice, text: part.text });
      }
    }
    if (candidate.finishReason !== null) {
      seen.finished = true;
      this.#emit({ type: "finish", choice, reason: finishReason(candidate.finishReason, seen.calls > 0) });
    }
  }

  /**
   * The usage of a stream Gemini did not finish reporting: what it reported so far
   * (its prompt count comes with the first chunk), with the output it delivered
   * counted by Bentoo when that is more (a cut stream's last chunks never came);
   * the prompt counted too when nothing was reported.
   */
  #deliveredUsage(reported: Usage | null): Usage {
    const delivered = countTokens(this.#delivered);
    if (reported === null) return basicUsage(countRequestTokens(this.#call.client.request), delivered, true);
    return delivered > reported.outputTokens ? { ...reported, outputTokens: delivered, estimated: true } : reported;
  }
}
