import type { Usage } from "./usage.js";

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "error";

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text. */
  arguments: string;
}

/** One generated token's log probability, and the likeliest tokens at its place (OpenAI's `logprobs.content[]`). */
export interface TokenLogprob {
  token: string;
  logprob: number;
  /** The likeliest tokens at this place, likeliest first, as many as asked for (`top_logprobs`). */
  top: Array<{ token: string; logprob: number }>;
}

/** One alternative answer. */
export interface Choice {
  index: number;
  text: string | null;
  reasoning: string | null;
  refusal: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** The stop sequence that ended the answer (finish reason "stop"), when the provider says which. */
  stopSequence?: string;
  /** The text's tokens with their log probabilities, when the request asked for them. */
  logprobs?: TokenLogprob[];
}

/** A whole (non-streamed) answer in Bentoo's own terms. */
export interface ModelResponse {
  /** The provider's id for the answer, or one Bentoo made. */
  id: string;
  /** Unix seconds. */
  created: number;
  choices: Choice[];
  usage: Usage;
}

/**
 * One step of a streamed answer in Bentoo's own terms. Translators turn a
 * provider's stream into these, and a client API's stream writer turns them
 * into its own events. `choice` is the index of the alternative (OpenAI's `n`).
 */
export type StreamEvent =
  | { type: "start"; id: string; created: number }
  | { type: "text-delta"; choice: number; text: string; logprobs?: TokenLogprob[] }
  | { type: "reasoning-delta"; choice: number; text: string }
  | { type: "tool-call-start"; choice: number; index: number; id: string; name: string }
  | { type: "tool-call-delta"; choice: number; index: number; arguments: string }
  | { type: "tool-call-end"; choice: number; index: number }
  | { type: "finish"; choice: number; reason: FinishReason; stopSequence?: string }
  | { type: "usage"; usage: Usage };
