import type { Writable } from "node:stream";
import type { BentooError, CatalogModel, ModelRoute } from "@bentoo/core";
import type { Cancellation } from "./cancellation.js";

/** Token usage of one completion. `estimated` is true when the upstream did not report it. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  estimated: boolean;
}

/** One chat-completion call to one upstream route. */
export interface ChatCall {
  requestId: string;
  model: CatalogModel;
  route: ModelRoute;
  /**
   * The client's request body as parsed at the boundary; adapters copy it and
   * replace `model` with the route's upstream model. Unknown fields pass through.
   */
  body: Readonly<Record<string, unknown>>;
  /**
   * The same body's bytes as received, when the caller has them: an adapter that
   * forwards the body as is may send them with `model` replaced (and, for a
   * stream, `stream_options`) instead of serialising `body` again.
   */
  rawBody?: Buffer | null;
  stream: boolean;
  /** Aborted when the client disconnects. */
  signal: Cancellation;
  /**
   * Extra fields for the stream's usage chunk (Bentoo adds the cost there, as in
   * JSON answers). Only that one event is re-serialised; every other byte passes through.
   */
  usageExtras?: (usage: Usage) => Record<string, unknown>;
}

export interface JsonChatResult {
  kind: "json";
  usage: Usage;
  /**
   * The JSON answer for the client: the upstream's chat.completion with `model`
   * set to the catalog id and `usage`'s members in its usage object (added to
   * the upstream's own, whose details stay; the whole object when the upstream
   * reported none that adds up).
   */
  render(usage: Record<string, unknown>): string | Buffer;
}

/** How a stream ended. */
export interface StreamOutcome {
  usage: Usage;
  /** True when the upstream finished the stream (`[DONE]`). */
  completed: boolean;
  /** Set when the stream broke midway (upstream cut, timeout); the gateway reports it in-band. */
  failure: BentooError | null;
  /** True when the client went away before the end. */
  clientAborted: boolean;
}

export interface StreamChatResult {
  kind: "stream";
  /**
   * Writes the SSE body (bytes passed through as received) into `destination`,
   * honouring back-pressure. The caller has already written the status line and
   * headers, and ends `destination` once the promise settles: the last bytes may
   * be held (corked) until then, so that they leave with the end in one write.
   * Never rejects: failures are reported in the outcome.
   */
  pipeTo(destination: Writable): Promise<StreamOutcome>;
}

export type ChatResult = JsonChatResult | StreamChatResult;

/** Translates Bentoo's OpenAI-shaped request to one upstream's wire format, and back. */
export interface ChatAdapter {
  readonly providerId: string;
  chat(call: ChatCall): Promise<ChatResult>;
  close(): Promise<void>;
}
