import type { Writable } from "node:stream";
import { Pool, type Dispatcher } from "undici";
import { BentooError, replaceValues, skipSpace, topLevelMembers, type ProviderConfig, type ValueSpan } from "@bentoo/core";
import type { ChatAdapter, ChatCall, ChatResult, JsonChatResult, StreamOutcome, Usage } from "../adapter.js";
import { reportedUsage, SseTap, type StreamEnding } from "../sse-tap.js";
import { countPromptTokens, countTokens } from "../tokenizer.js";
import { ClientAbortedError } from "../upstream-error.js";
import { mapTransportError, mapUpstreamStatus } from "./errors.js";
import { splicedAnswer, usageOf } from "./json-answer.js";

/** Largest upstream error body read when mapping an error (bytes). */
const MAX_ERROR_BODY = 64 * 1024;
/**
 * Largest JSON answer buffered (bytes). A completion is text plus metadata: even
 * a 128k-token answer is well under this; past it, the provider is misbehaving.
 */
export const MAX_JSON_ANSWER_BYTES = 32 * 1024 * 1024;

/**
 * Any server speaking OpenAI's Chat Completions wire format (OpenAI, Anthropic's
 * and Gemini's compatibility endpoints, vLLM, Ollama, LM Studio…).
 * https://platform.openai.com/docs/api-reference/chat/create
 * One keep-alive undici pool per provider. Each call is one `dispatch` with the
 * handler below: undici hands it the response's chunks as they arrive, and a
 * stream's chunks are written to the client from there, untouched, with no
 * Readable, async iterator or promise per chunk in between.
 */
export class OpenAiCompatibleAdapter implements ChatAdapter {
  readonly providerId: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly jsonHeaders: Record<string, string>;
  private readonly streamHeaders: Record<string, string>;
  private readonly maxAnswerBytes: number;

  constructor(
    private readonly provider: ProviderConfig,
    apiKey: string | null,
    options: { connections?: number; maxAnswerBytes?: number } = {},
  ) {
    this.maxAnswerBytes = options.maxAnswerBytes ?? MAX_JSON_ANSWER_BYTES;
    this.providerId = provider.id;
    const url = new URL(provider.baseUrl);
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 256,
      keepAliveTimeout: 30_000,
      headersTimeout: provider.timeoutMs,
      bodyTimeout: provider.timeoutMs,
      connectTimeout: Math.min(provider.timeoutMs, 10_000),
    });
    this.path = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
    const base: Record<string, string> = { "content-type": "application/json", "user-agent": "bentoo-gateway" };
    if (apiKey !== null) base.authorization = `Bearer ${apiKey}`;
    this.jsonHeaders = { ...base, accept: "application/json" };
    this.streamHeaders = { ...base, accept: "text/event-stream" };
  }

  chat(call: ChatCall): Promise<ChatResult> {
    return new Promise((resolve, reject) => {
      const exchange = new UpstreamExchange(this.provider, call, this.maxAnswerBytes, resolve, reject);
      try {
        this.pool.dispatch({ path: this.path, method: "POST", headers: call.stream ? this.streamHeaders : this.jsonHeaders, body: upstreamBody(call) }, exchange);
      } catch (error) {
        exchange.onError(error as Error);
      }
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The request's stream_options with include_usage on, so that streams are metered from the upstream's own count. */
function streamOptions(requested: unknown): Record<string, unknown> {
  return { ...(typeof requested === "object" && requested !== null ? requested : {}), include_usage: true };
}

const FORWARDED_MEMBERS = ["model", "stream_options"];
const CLOSE_BRACE = 0x7d;

/**
 * The client's body with `model` set to the route's upstream model (and, for
 * a stream, usage asked for). From the bytes as received when they are at
 * hand: every other byte goes as the client sent it, with no serialisation of
 * the (possibly long) conversation; else from the parsed body.
 */
function upstreamBody(call: ChatCall): string | Buffer {
  const raw = call.rawBody;
  const spans = raw == null ? null : topLevelMembers(raw, FORWARDED_MEMBERS);
  if (raw == null || spans == null || spans[0] == null) {
    const payload: Record<string, unknown> = { ...call.body, model: call.route.upstreamModel };
    if (call.stream) payload.stream_options = streamOptions(call.body.stream_options);
    return JSON.stringify(payload);
  }
  const replacements: Array<[ValueSpan, string]> = [[spans[0], JSON.stringify(call.route.upstreamModel)]];
  if (call.stream) {
    const options = JSON.stringify(streamOptions(call.body.stream_options));
    // Absent, it goes in as the last member, before the closing brace (the last one in the bytes).
    const close = raw.lastIndexOf(CLOSE_BRACE);
    replacements.push(spans[1] != null ? [spans[1], options] : [{ start: close, end: close }, `,"stream_options":${options}`]);
  }
  return replaceValues(raw, replacements);
}

/** What a stream relay may do to the upstream's response: hold it back while the client is full, or cut it. */
interface UpstreamFlow {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/**
 * One request to the upstream and its response. Before a 2xx stream starts, the
 * call's promise settles with the JSON answer or the mapped error; a 2xx stream
 * settles it at once with `pipeTo`, and from then on the chunks go to the client.
 *
 * It speaks the handler interface undici's own clients call (onConnect,
 * onHeaders, onData, onComplete, onError), which undici 7's types mark as
 * deprecated in favour of onRequestStart/onResponseStart/…: a handler of that
 * newer kind is wrapped by undici in an adapter that parses the response's
 * headers and trailers into objects on every call, and this one reads neither
 * (that wrapper was about 2 % of the main thread's time under load;
 * bench/README.md, sixth session). The adapter tests drive both kinds of
 * answer, backpressure and aborts through a real undici pool, so an undici
 * release that drops these callbacks fails them.
 */
class UpstreamExchange implements Dispatcher.DispatchHandler, UpstreamFlow {
  private status = 0;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private stream: StreamRelay | null = null;
  private settled = false;
  private abortUpstream: ((reason: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private paused = false;
  private aborted = false;

  constructor(
    private readonly provider: ProviderConfig,
    private readonly call: ChatCall,
    private readonly maxAnswerBytes: number,
    private readonly resolve: (result: ChatResult) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeUpstream?.();
  }

  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortUpstream?.(reason);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    this.call.signal.onAbort(() => this.abort(new ClientAbortedError()));
  }

  /** Returns false to pause the upstream (see `resume`). */
  onHeaders(statusCode: number, _rawHeaders: Buffer[], resume: () => void): boolean {
    this.resumeUpstream = resume;
    this.status = statusCode;
    if (this.call.stream && this.succeeded()) {
      const stream = (this.stream = new StreamRelay(this.provider, this.call));
      if (this.settle()) this.resolve({ kind: "stream", pipeTo: (destination) => stream.attach(destination) });
    }
    return !this.paused;
  }

  onData(chunk: Buffer): boolean {
    if (this.stream !== null) {
      this.stream.data(this, chunk);
      return !this.paused;
    }
    if (this.settled) return true;
    if (this.succeeded() && this.bytes + chunk.length > this.maxAnswerBytes) {
      if (this.settle()) this.reject(new BentooError("upstream_bad_response", `provider "${this.provider.id}" sent an answer larger than ${Math.round(this.maxAnswerBytes / 1024)} KiB; it was not forwarded.`));
      this.abort(new Error("answer too large"));
      return false;
    }
    // An error body past the limit is not kept: the message is in its first bytes.
    if (this.succeeded() || this.bytes < MAX_ERROR_BODY) {
      this.chunks.push(chunk);
      this.bytes += chunk.length;
    }
    return true;
  }

  onComplete(): void {
    if (this.stream !== null) {
      this.stream.end();
      return;
    }
    if (this.settled) return;
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    if (!this.succeeded()) {
      if (this.settle()) this.reject(mapUpstreamStatus(this.provider, this.call.route.upstreamModel, this.status, bytes.toString("utf8").slice(0, MAX_ERROR_BODY)));
      return;
    }
    let result: JsonChatResult;
    try {
      result = splicedAnswer(bytes, this.call.model.id) ?? jsonResult(this.provider, this.call, bytes.toString("utf8"));
    } catch (error) {
      if (this.settle()) this.reject(error as Error);
      return;
    }
    if (this.settle()) this.resolve(result);
  }

  onError(error: Error): void {
    if (this.stream !== null) {
      this.stream.fail(error);
      return;
    }
    // The client went away: not the provider's failure, and nobody is left to tell.
    if (this.settle()) this.reject(this.call.signal.aborted ? new ClientAbortedError() : mapTransportError(this.provider, error));
  }

  private succeeded(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** True once, for the first outcome: the call's promise settles with it and ignores every later one. */
  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

/**
 * A 2xx stream on its way to the client: chunks that arrive before `attach`
 * (the gateway writes its headers first) wait in a list; after it, each is
 * written as it comes, and the upstream is paused while the client's buffer is
 * full. The usage chunk alone is rewritten, to carry the cost.
 */
class StreamRelay {
  private readonly tap = new SseTap();
  private destination: Writable | null = null;
  private pending: Buffer[] | null = [];
  private waitingForDrain = false;
  private clientAborted = false;
  private ended: { error: Error | null } | null = null;
  private finished: ((outcome: StreamOutcome) => void) | null = null;
  /** The stream's ending as the last chunk written showed it (endingShownBy), else null. */
  private shownEnding: StreamEnding | null = null;

  constructor(
    private readonly provider: ProviderConfig,
    private readonly call: ChatCall,
  ) {}

  attach(destination: Writable): Promise<StreamOutcome> {
    this.destination = destination;
    const waiting = this.pending!;
    this.pending = null;
    if (this.ended !== null) {
      // All of it is here: it leaves with the response's end, which the caller writes next.
      holdForEnd(destination);
      for (const chunk of waiting) this.write(null, chunk);
      return Promise.resolve(this.outcome());
    }
    for (const chunk of waiting) this.write(null, chunk);
    // Node holds a response's writes until the end of the tick, and the caller's await of
    // this promise would come first: the client gets what arrived so far now.
    if (waiting.length > 0 && destination.writableCorked > 0) destination.uncork();
    return new Promise((resolve) => {
      this.finished = resolve;
    });
  }

  data(controller: UpstreamFlow, chunk: Buffer): void {
    this.tap.feed(chunk);
    if (this.pending !== null) this.pending.push(chunk);
    else this.write(controller, chunk);
  }

  end(): void {
    this.finish(null);
  }

  fail(error: Error): void {
    this.finish(error);
  }

  private write(controller: UpstreamFlow | null, chunk: Buffer): void {
    const destination = this.destination!;
    // Only the last chunk can show the ending: every chunk clears what an earlier one showed.
    this.shownEnding = null;
    if (this.clientAborted) return;
    if (destination.destroyed || destination.writableEnded) {
      this.clientAborted = true;
      controller?.abort(new ClientAbortedError());
      return;
    }
    const extras = this.call.usageExtras;
    const found = extras === undefined ? null : usageEventIn(chunk);
    let outgoing: Buffer | Buffer[] = chunk;
    if (found !== null) {
      outgoing = piecesWithExtras(chunk, found, extras!);
      this.shownEnding = endingShownBy(chunk, found);
    }
    // Pieces written in one tick leave in one writev: Node corks a response until the next tick.
    let flowing = true;
    if (Array.isArray(outgoing)) for (const piece of outgoing) flowing = destination.write(piece) && flowing;
    else flowing = destination.write(outgoing);
    if (!flowing && controller !== null && !this.waitingForDrain) {
      this.waitingForDrain = true;
      controller.pause();
      destination.once("drain", () => {
        this.waitingForDrain = false;
        controller.resume();
      });
    }
  }

  private finish(error: Error | null): void {
    if (this.ended !== null) return;
    this.ended = { error };
    if (this.finished === null) return;
    holdForEnd(this.destination!);
    this.finished(this.outcome());
  }

  private outcome(): StreamOutcome {
    const error = this.ended?.error ?? null;
    let failure: BentooError | null = null;
    let clientAborted = this.clientAborted;
    if (error !== null && !clientAborted) {
      if (this.call.signal.aborted || error instanceof ClientAbortedError) clientAborted = true;
      else {
        const mapped = mapTransportError(this.provider, error);
        failure = mapped.code === "upstream_timeout" ? mapped : new BentooError("upstream_error", `provider "${this.provider.id}" broke off the stream midway; the answer is cut short.`);
      }
    }
    const ending = this.shownEnding ?? this.tap.ending();
    if (failure === null && !clientAborted && !ending.done) {
      failure = ending.error
        ? new BentooError("upstream_error", `provider "${this.provider.id}" reported an error mid-stream: ${ending.error.message}`)
        : new BentooError("upstream_error", `provider "${this.provider.id}" ended the stream before it was complete; the answer is cut short.`);
    }
    const reported = ending.usage;
    const usage: Usage =
      reported !== null
        ? { promptTokens: reported.promptTokens, completionTokens: reported.completionTokens, totalTokens: reported.totalTokens, estimated: false }
        : estimateUsage(this.call, countTokens(this.tap.deliveredText()));
    return { usage, completed: ending.done, failure, clientAborted };
  }
}

/**
 * Corks the client's response at the end of a stream. The caller ends the response
 * once pipeTo's promise settles (see StreamChatResult), and `end()` uncorks it fully:
 * the stream's last bytes and the response's end then leave in one write, not two
 * (Node would otherwise flush the last bytes on the next tick, before the caller runs).
 */
function holdForEnd(destination: Writable): void {
  if (!destination.destroyed && !destination.writableEnded) destination.cork();
}

function jsonResult(provider: ProviderConfig, call: ChatCall, text: string): JsonChatResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BentooError("upstream_bad_response", `provider "${provider.id}" answered with something that is not a chat completion.`);
  }
  const completion = parsed as Record<string, unknown>;
  completion.model = call.model.id;
  const reported = usageOf(completion.usage);
  return {
    kind: "json",
    usage: reported ?? estimateJsonUsage(call, completion),
    render(usage) {
      // A usage the upstream reported keeps its other members (details), as in splicedAnswer.
      completion.usage = reported === null ? usage : Object.assign(completion.usage as Record<string, unknown>, usage);
      return JSON.stringify(completion);
    },
  };
}

// Only the key: the event's members are then read properly, so `"usage": {` (Python's json.dumps spacing) is found too.
const USAGE_MARK = Buffer.from('"usage"');
const DATA_FIELD = Buffer.from("data:");
const EVENT_END = Buffer.from("\n\n");
const USAGE_MEMBER = ["usage"];
const OPEN_BRACE = 0x7b;
const COLON = 0x3a;

/** The last complete SSE event in a chunk that carries a usage object, parsed. */
interface UsageEvent {
  /** The usage object's bytes in the chunk. */
  span: ValueSpan;
  /** Where the event ends: its blank line starts here. */
  eventEnd: number;
  reported: Record<string, unknown>;
  usage: Usage;
}

/**
 * Finds the last (complete) SSE event in `chunk` that carries a usage object and
 * parses that object alone. Null when there is none; a usage event split across
 * chunks is not found.
 */
function usageEventIn(chunk: Buffer): UsageEvent | null {
  // The usage chunk is the last event of a stream: search from the end.
  const mark = chunk.lastIndexOf(USAGE_MARK);
  // OpenAI sends `"usage":null` in every other chunk of a stream that asked for usage: only an object is looked at.
  if (mark === -1 || !objectFollows(chunk, mark + USAGE_MARK.length)) return null;
  const start = chunk.lastIndexOf(DATA_FIELD, mark);
  const eventEnd = chunk.indexOf(EVENT_END, mark);
  if (start === -1 || eventEnd === -1) return null;
  const span = topLevelMembers(chunk, USAGE_MEMBER, start + DATA_FIELD.length, eventEnd)?.[0];
  if (span == null || chunk[span.start] !== OPEN_BRACE) return null;
  let reported: Record<string, unknown>;
  try {
    reported = JSON.parse(chunk.toString("utf8", span.start, span.end)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const usage = usageOf(reported);
  return usage === null ? null : { span, eventEnd, reported, usage };
}

/** Whether the bytes after a key are a colon and an opening brace, with JSON whitespace around the colon allowed. */
function objectFollows(chunk: Buffer, index: number): boolean {
  const colon = skipSpace(chunk, index);
  return chunk[colon] === COLON && chunk[skipSpace(chunk, colon + 1)] === OPEN_BRACE;
}

/**
 * The pieces to write in place of a chunk whose usage event gains `extras`: the
 * bytes before the usage object and after it, untouched (not copied), around the
 * usage object with the extras. Only the usage object is re-serialised.
 */
function piecesWithExtras(chunk: Buffer, found: UsageEvent, extras: (usage: Usage) => Record<string, unknown>): Buffer[] {
  const added = extras(found.usage);
  let fresh = true;
  for (const name in added) if (Object.hasOwn(found.reported, name)) fresh = false;
  if (!fresh) {
    // The upstream reported a member of the same name: the object is written again, with ours.
    return [chunk.subarray(0, found.span.start), Buffer.from(JSON.stringify(Object.assign({}, found.reported, added))), chunk.subarray(found.span.end)];
  }
  // New members go in before the usage object's closing brace; its own bytes stay as they came.
  // (usageOf accepted it, so it has members, and a comma is needed.)
  const members = JSON.stringify(added);
  if (members.length <= 2) return [chunk];
  const close = found.span.end - 1;
  return [chunk.subarray(0, close), Buffer.from(`,${members.slice(1, -1)}`), chunk.subarray(close)];
}

/**
 * Adds `extras` to the usage object of the (complete) SSE event in `chunk` that
 * carries one: the chunk itself when it has none, else the pieces to write in its
 * place (piecesWithExtras).
 */
export function withUsageExtras(chunk: Buffer, extras: (usage: Usage) => Record<string, unknown>): Buffer | Buffer[] {
  const found = usageEventIn(chunk);
  return found === null ? chunk : piecesWithExtras(chunk, found, extras);
}

/** OpenAI's end of a stream, right after the usage event's own blank line starts. */
const USAGE_THEN_DONE = Buffer.from("\n\ndata: [DONE]\n\n");

/**
 * How a stream ended, when the chunk that ends it shows it alone: its usage event,
 * then `[DONE]` and nothing else. The tap would read the same from the stream's
 * tail (the last usage event, and `[DONE]`: an error event no longer matters once
 * the stream is done), so it need not parse the tail again. Null in any other
 * case, and the tap reads the tail.
 */
function endingShownBy(chunk: Buffer, found: UsageEvent): StreamEnding | null {
  if (chunk.length !== found.eventEnd + USAGE_THEN_DONE.length || chunk.compare(USAGE_THEN_DONE, 0, USAGE_THEN_DONE.length, found.eventEnd) !== 0) return null;
  const usage = reportedUsage(found.reported);
  return usage === null ? null : { done: true, usage, error: null };
}

export function estimateUsage(call: ChatCall, completionTokens: number): Usage {
  const messages = Array.isArray(call.body.messages) ? call.body.messages : [];
  const promptTokens = countPromptTokens(messages, call.body.tools);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
}

function estimateJsonUsage(call: ChatCall, completion: Record<string, unknown>): Usage {
  let text = "";
  if (Array.isArray(completion.choices)) {
    for (const choice of completion.choices) {
      const message = (choice as { message?: { content?: unknown; tool_calls?: unknown } } | null)?.message;
      if (typeof message?.content === "string") text += message.content;
      if (message?.tool_calls !== undefined) text += JSON.stringify(message.tool_calls);
    }
  }
  return estimateUsage(call, countTokens(text));
}
