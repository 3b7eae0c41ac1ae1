/**
 * A model request in Bentoo's own terms. Each client API (Chat Completions,
 * Responses, Messages) is parsed into it, and each provider translator that does
 * not speak the client's API writes its wire request from it. Estimates (tokens,
 * the credit hold) are computed from it, whatever the client API.
 *
 * It holds what the supported providers can express in common; what a client
 * sent that has no place here is kept as an `unsupported` part or in
 * `ModelRequest.unsupported`, so that a translator can refuse it by name instead
 * of dropping it silently. A passthrough (client and provider speak the same API)
 * forwards the client's own body and never needs that.
 */
export type Role = "system" | "user" | "assistant" | "tool";

export type MediaSource = { kind: "url"; url: string } | { kind: "base64"; mediaType: string; data: string };

/** Provider prompt-cache hint on a part (Anthropic's `cache_control`), passed on where a provider takes it. */
export interface CacheHint {
  type: "ephemeral";
  ttl?: string;
}

export type ContentPart =
  | { type: "text"; text: string; cache?: CacheHint }
  | { type: "image"; source: MediaSource; detail?: "auto" | "low" | "high"; cache?: CacheHint }
  | { type: "file"; source: MediaSource; filename?: string; cache?: CacheHint }
  | { type: "audio"; data: string; format: string }
  | { type: "tool-call"; id: string; name: string; arguments: string }
  | { type: "tool-result"; toolCallId: string; content: ContentPart[]; isError?: boolean; cache?: CacheHint }
  | { type: "reasoning"; text: string; signature?: string; redacted?: boolean }
  | { type: "refusal"; text: string }
  /** Something the client's API allows that has no equivalent here; `description` names it for an error. */
  | { type: "unsupported"; description: string };

export interface Message {
  role: Role;
  parts: ContentPart[];
  /** A participant name (OpenAI's `name`), when given. */
  name?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: unknown;
  strict?: boolean;
  cache?: CacheHint;
}

export type ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

export type OutputFormat = { type: "text" } | { type: "json_object" } | { type: "json_schema"; name: string; schema: unknown; strict?: boolean };

export interface Sampling {
  temperature?: number;
  topP?: number;
  topK?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
}

export type ReasoningEffort = "minimal" | "low" | "medium" | "high";

export interface ModelRequest {
  /** In order; system instructions are messages of role "system" wherever the client put them. */
  messages: Message[];
  tools: ToolDefinition[];
  toolChoice: ToolChoice | null;
  output: OutputFormat;
  /** Most tokens to generate per answer, when the client bounded it. */
  maxOutputTokens: number | null;
  /** How many alternative answers (OpenAI's `n`); 1 unless asked. */
  choices: number;
  sampling: Sampling;
  stop: string[];
  reasoning: { effort?: ReasoningEffort; budgetTokens?: number } | null;
  parallelToolCalls?: boolean;
  /**
   * Token log probabilities asked for (OpenAI's `logprobs`, with `top_logprobs`
   * alternatives per token). Only the sandbox and a passthrough serve them; the
   * translators refuse them by name through `unsupported`.
   */
  logprobs?: { top: number };
  /** End-user id or metadata for the provider's abuse monitoring. */
  user?: string;
  metadata?: Record<string, string>;
  stream: boolean;
  /** Client parameters no translator can carry (e.g. `logprobs`), named for an error. */
  unsupported: string[];
}
