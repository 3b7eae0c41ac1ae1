import type { Writable } from "node:stream";
import type {
  AnswerContext,
  AnswerWriter,
  BentooError,
  CatalogModel,
  EmbeddingAnswerContext,
  EmbeddingRequest,
  EmbeddingWriter,
  JsonObject,
  ModelRequest,
  ModelRoute,
  Usage,
  WireFormat,
} from "@bentoo/core";
import type { SimulatedFailure } from "./sandbox/simulate.js";

/** The client's side of a call: what it asked, in its own API and in Bentoo's terms. */
export interface ClientRequest {
  /** The client API's wire format; a provider speaking the same forwards `body` (a passthrough). */
  wire: WireFormat;
  stream: boolean;
  /** Whether the client asked for usage in its stream. */
  streamUsage: boolean;
  /** The request in Bentoo's own terms, for a provider that translates. */
  request: ModelRequest;
  /** The body as parsed, and its bytes as received when at hand (a passthrough splices them). */
  body: Readonly<JsonObject>;
  raw: Buffer | null;
  /** How the client API writes answers made in Bentoo's own terms. */
  answers: AnswerWriter;
  /** Headers of the client's request a provider speaking its API forwards as they are (a passthrough); none when absent. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** Tells a provider call that its client went away (the pipeline watches the client's connection). */
export interface Cancellation {
  readonly cancelled: boolean;
  /** Calls `listener` once when the client goes away; at once when it already has. */
  onCancel(listener: () => void): void;
}

/** One client request, for whichever provider route serves it. */
export interface ProviderCall {
  requestId: string;
  model: CatalogModel;
  client: ClientRequest;
  cancellation: Cancellation;
  /** Bentoo's members of the usage object the client sees (the cost), for answers and usage events. */
  usageExtras(usage: Usage): Record<string, unknown>;
  /** A failure a test key asked for (`Bentoo-Simulate`); only the sandbox serves test keys, and only it reads this. */
  simulate?: SimulatedFailure | null;
}

/** One embeddings request (POST /v1/embeddings), for whichever provider route serves it. */
export interface EmbeddingCall {
  requestId: string;
  /** An embedding model (catalog kind `embedding`). */
  model: CatalogModel;
  /** The request in Bentoo's own terms, for a provider that translates. */
  request: EmbeddingRequest;
  /** The body as parsed, and its bytes as received when at hand: a provider speaking OpenAI's Embeddings API forwards them. */
  body: Readonly<JsonObject>;
  raw: Buffer | null;
  /** How the client's API writes vectors made in Bentoo's own terms. */
  answers: EmbeddingWriter;
  cancellation: Cancellation;
  /** Bentoo's members of the usage object the client sees (the cost). */
  usageExtras(usage: Usage): Record<string, unknown>;
  /** A failure a test key asked for (`Bentoo-Simulate`); only the sandbox reads it. */
  simulate?: SimulatedFailure | null;
}

/** How a stream ended. */
export interface StreamOutcome {
  usage: Usage;
  /** The provider finished the stream. */
  completed: boolean;
  /** Set when the stream broke midway (upstream cut, timeout, in-band error); the pipeline reports it in-band. */
  failure: BentooError | null;
  /** The client went away before the end. */
  clientAborted: boolean;
}

/** An answer in the client's API, ready to send. */
export type Answer =
  | {
      kind: "json";
      usage: Usage;
      /** The JSON body, naming the catalog model and carrying `usageExtras` in its usage. */
      body(): string | Buffer;
    }
  | {
      kind: "stream";
      /**
       * Writes the event stream into `destination` (status and headers are already
       * written), honouring back-pressure; the caller ends `destination` afterwards.
       * Never rejects: failures are reported in the outcome.
       */
      pipeTo(destination: Writable): Promise<StreamOutcome>;
    };

/** A client's request to count a prompt's tokens (Anthropic's `count_tokens`), in its own API. */
export interface TokenCountCall {
  requestId: string;
  /** The client API's wire format; a provider counts only a body in its own. */
  wire: WireFormat;
  body: Readonly<JsonObject>;
  raw: Buffer | null;
  headers?: Readonly<Record<string, string>> | undefined;
  cancellation: Cancellation;
}
/** A whole JSON answer (every embeddings answer is one). */
export type JsonAnswer = Extract<Answer, { kind: "json" }>;

/**
 * One upstream provider: an upstream client (URL, credentials, timeouts) and the
 * translation between Bentoo's terms and the provider's wire format. Rejects with
 * an UpstreamError (or BentooError) when no answer starts.
 */
export interface ProviderAdapter {
  readonly providerId: string;
  /** Sends the call to `route` (one of the model's routes on this provider). */
  send(call: ProviderCall, route: ModelRoute): Promise<Answer>;
  /**
   * The prompt's input tokens as the provider counts them, for a provider with a
   * counting endpoint; null when it cannot count a body of this wire format.
   * Rejects like `send`.
   */
  countTokens?(call: TokenCountCall, route: ModelRoute): Promise<number | null>;
  /** Embeds the call's inputs on `route`; present on the provider types that can (catalog EMBEDDING_PROVIDER_TYPES) and the sandbox. */
  embed?(call: EmbeddingCall, route: ModelRoute): Promise<JsonAnswer>;
  close(): Promise<void>;
}

/** What a client API's answer writer needs, from a call. */
export function answerContext(call: ProviderCall): AnswerContext {
  return { model: call.model.id, usageExtras: call.usageExtras, streamUsage: call.client.streamUsage };
}

/** What the client API's embeddings writer needs, from a call. */
export function embeddingContext(call: EmbeddingCall): EmbeddingAnswerContext {
  return { model: call.model.id, encoding: call.request.encoding, usageExtras: call.usageExtras };
}
