import type { ModelResponse, StreamEvent } from "./response.js";
import type { Usage } from "./usage.js";

/**
 * A wire format: the shape of one API's requests and answers. A provider whose
 * format is the client's own takes the client's body as it is (a passthrough);
 * any other pair is translated through Bentoo's own terms (ModelRequest,
 * ModelResponse, StreamEvent).
 */
export type WireFormat = "openai-chat" | "openai-responses" | "openai-embeddings" | "anthropic-messages" | "gemini";

/** What a client API's writer needs to know about the answer it writes. */
export interface AnswerContext {
  /** The catalog id the answer names as its model. */
  model: string;
  /** Bentoo's members of the usage object the client sees (the cost). */
  usageExtras(usage: Usage): Record<string, unknown>;
  /** Whether the client asked for usage in its stream (Chat Completions' `stream_options.include_usage`). */
  streamUsage: boolean;
}

/** Writes one stream's events in a client API's wire format. */
export interface StreamWriter {
  /** SSE text for one event; "" when the event shows nothing in this API. */
  event(event: StreamEvent): string;
  /** SSE text that ends a complete stream (Chat Completions' `data: [DONE]`). */
  end(): string;
}

/** How a client API writes answers made in Bentoo's own terms: the translated path's last step. */
export interface AnswerWriter {
  json(response: ModelResponse, context: AnswerContext): string;
  stream(context: AnswerContext): StreamWriter;
}
