import type { IncomingHttpHeaders } from "node:http";
import type { AnswerWriter, BentooError, CatalogModel, JsonObject, ModelKind, ModelRequest, Usage, WireFormat } from "@bentoo/core";

/** What every client API declares to the pipeline, whatever it serves. */
export interface ClientApi {
  /** The catalog kind of the models it serves: a model of another kind gets a 400 naming the endpoint that serves it. */
  readonly modelKind: ModelKind;
  /** The body of an error response in this API's shape; `requestId` is the request's id (`x-request-id`), when it has one. */
  errorBody(error: BentooError, requestId: string | null): unknown;
}

/** A client's request once its API has parsed and checked it. */
export interface ParsedRequest {
  /** The catalog id the client asked for. */
  model: string;
  stream: boolean;
  /** Whether the client asked for usage in its stream. */
  streamUsage: boolean;
  /** The request in Bentoo's own terms: what estimates and translators read. */
  request: ModelRequest;
  /** The body as parsed, for a provider that speaks this API (a passthrough). */
  body: Readonly<JsonObject>;
  /** The body differs from the bytes received (a member was dropped): a passthrough sends `body`, not the bytes. */
  rewritten: boolean;
}

/** Who sent a request, for a dialect that keeps state per account. */
export interface DialectCaller {
  accountId: string;
  requestId: string;
  /** The catalog model the request resolved to. */
  model: CatalogModel;
}

/** How an answer ended, as a dialect with per-request state sees it. */
export interface AnswerEnd {
  /** Set when a stream broke midway. */
  failure: BentooError | null;
  /** The client went away before the end: nothing more reaches it. */
  clientAborted: boolean;
  /** The usage the request is charged for. */
  usage: Usage;
}

/**
 * One request of a dialect that keeps state per request (the Responses API: the
 * response id, a stored conversation to continue, the answer to store).
 */
export interface DialectExchange {
  /** The request as it runs (e.g. with a stored conversation before the client's input). */
  readonly parsed: ParsedRequest;
  /** Writes this request's answers. */
  readonly answers: AnswerWriter;
  /**
   * Called once the answer is complete (a JSON answer made, or a stream relayed to
   * its end, broken or not), before its last bytes go out: a JSON body is sent, and
   * the text this resolves with is written as the stream's last event, only after it
   * resolves. Never rejects.
   */
  complete(end: AnswerEnd): Promise<string>;
}

/** What a dialect calls the request members that the pipeline's own errors name. */
export interface ParameterNames {
  /** The prompt (Chat Completions' `messages`). */
  prompt: string;
  /** The output limit (Chat Completions' `max_tokens`). */
  maxOutputTokens: string;
}

/**
 * One client API (Chat Completions, Responses, Messages, …): how its requests are
 * parsed and how its answers and errors are written. The request pipeline
 * (pipeline/) does everything else the same way for every API; adding an API is
 * a dialect module and a route file.
 */
export interface Dialect extends ClientApi {
  readonly modelKind: "chat";
  /** The wire format this API speaks; a provider speaking the same takes the client's body as is. */
  readonly wire: WireFormat;
  /** Checks the body (a 400 naming the parameter otherwise) and maps it to Bentoo's own terms. */
  parse(body: unknown): ParsedRequest;
  /** How answers in Bentoo's own terms are written in this API (translated providers and the sandbox use it). */
  readonly answers: AnswerWriter;
  /** The last event of a stream that broke midway, in this API's shape. */
  streamError(error: BentooError, requestId: string | null): string;
  /**
   * Headers of the client's request that a provider speaking this API takes as
   * they are (a passthrough), such as Anthropic's `anthropic-beta`; none when absent.
   */
  passthroughHeaders?(headers: IncomingHttpHeaders): Readonly<Record<string, string>> | undefined;
  /** The names the pipeline's errors use for the prompt and the output limit; Chat Completions' when absent. */
  readonly parameterNames?: ParameterNames;
  /**
   * For an API with state per request: runs after the model is resolved and before
   * the estimate (so it may add to the request), and takes over the answer's
   * writer and its last bytes (DialectExchange). Rejects with a BentooError for a
   * request it cannot serve. Without it, `answers` serves every request.
   */
  open?(parsed: ParsedRequest, caller: DialectCaller): Promise<DialectExchange>;
}
