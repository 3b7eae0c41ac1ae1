import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import type { Cancellation } from "./provider.js";
import { ClientAbortedError } from "./upstream-error.js";

/** Where a streamed body goes, chunk by chunk. */
export interface BodySink {
  /** One chunk of the body; false when the sink is full: the provider is paused until `resume()`. */
  data(chunk: Buffer): boolean;
  /** The body ended (`error` null) or broke. */
  end(error: Error | null): void;
}

/**
 * A provider's response: whole, for a JSON answer and for every error (the
 * first `limit` bytes of its body); streaming, for a 2xx answer to a streamed
 * request (status and headers arrived, the body follows).
 */
export type UpstreamResponse = WholeResponse | StreamingResponse;

export interface WholeResponse {
  kind: "whole";
  status: number;
  body: Buffer;
  /** The body was longer than the limit: only its first bytes are here. */
  truncated: boolean;
  /** How long an error answer asked the client to wait (`retry-after-ms`, else `retry-after`), ms; null when it did not say. */
  retryAfterMs: number | null;
}

export interface StreamingResponse {
  kind: "streaming";
  status: number;
  /** Hands the body to `sink` as it arrives (what arrived before first). */
  stream(sink: BodySink): void;
  /** Lets a paused provider send again, once the sink drained. */
  resume(): void;
}

/** The wait an error answer asks for: `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: IncomingHttpHeaders, now = Date.now()): number | null {
  const milliseconds = Number(headers["retry-after-ms"]);
  if (headers["retry-after-ms"] !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers["retry-after"];
  if (typeof value !== "string" || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * One request to a provider and its response, driven by undici's dispatch
 * handler (https://undici.nodejs.org/#/docs/api/Dispatcher?id=dispatcherdispatchoptions-handler):
 * a whole answer's chunks are collected until its end; a stream's are handed to
 * its sink as they arrive, and the provider is paused while the sink is full.
 * The client going away aborts the exchange.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  #status = 0;
  #controller: Dispatcher.DispatchController | null = null;
  #settle: { resolve: (response: UpstreamResponse) => void; reject: (error: Error) => void } | null;
  #chunks: Buffer[] = [];
  #length = 0;
  #truncated = false;
  #limit = 0;
  #sink: BodySink | null = null;
  /** Resolved as a stream: its chunks wait for the sink, whatever happens first. */
  #streaming = false;
  #ended: { error: Error | null } | null = null;
  #retryAfterMs: number | null = null;

  constructor(
    private readonly streamed: boolean,
    /** Most body bytes kept of a whole answer and of an error; past it the exchange is cut and the response marked truncated. */
    private readonly limits: { answer: number; error: number },
    private readonly cancellation: Cancellation,
    resolve: (response: UpstreamResponse) => void,
    reject: (error: Error) => void,
  ) {
    this.#settle = { resolve, reject };
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.cancellation.onCancel(() => controller.abort(new ClientAbortedError()));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the response has not started yet
    this.#status = statusCode;
    this.#limit = statusCode < 300 ? this.limits.answer : this.limits.error;
    if (statusCode >= 400) this.#retryAfterMs = retryAfterMs(headers);
    if (!this.streamed || statusCode >= 300) return;
    this.#streaming = true;
    this.#resolve({ kind: "streaming", status: statusCode, stream: (sink) => this.#stream(sink), resume: () => this.#controller?.resume() });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#sink !== null) {
      if (!this.#sink.data(chunk)) controller.pause();
    } else if (this.#streaming || this.#length + chunk.length <= this.#limit) {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
    } else {
      this.#truncated = true;
      this.#chunks.push(chunk.subarray(0, this.#limit - this.#length));
      this.#length = this.#limit;
      this.#resolveWhole();
      controller.abort(new Error("the answer is larger than Bentoo reads"));
    }
  }

  onResponseEnd(): void {
    this.#end(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#end(error);
  }

  #end(error: Error | null): void {
    if (this.#ended !== null) return;
    this.#ended = { error };
    if (this.#sink !== null) this.#sink.end(error);
    else if (this.#streaming)
      return; // the sink, once attached, hears of it
    else if (error === null) this.#resolveWhole();
    else this.#reject(error);
  }

  #stream(sink: BodySink): void {
    this.#sink = sink;
    const waiting = this.#chunks;
    this.#chunks = [];
    let flowing = true;
    for (const chunk of waiting) flowing = sink.data(chunk) && flowing;
    if (this.#ended !== null) sink.end(this.#ended.error);
    else if (!flowing) this.#controller?.pause();
  }

  #resolveWhole(): void {
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [];
    this.#resolve({ kind: "whole", status: this.#status, body, truncated: this.#truncated, retryAfterMs: this.#retryAfterMs });
  }

  #resolve(response: UpstreamResponse): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.resolve(response);
  }

  #reject(error: Error): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.reject(error);
  }
}
