/**
 * The parts of Anthropic's Messages API wire format that Bentoo writes: request
 * bodies of `POST /v1/messages` (API version 2023-06-01).
 * https://docs.anthropic.com/en/api/messages
 */

/** The API version Bentoo speaks, sent as the `anthropic-version` header. https://docs.anthropic.com/en/api/versioning */
export const ANTHROPIC_VERSION = "2023-06-01";

/** https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching */
export interface CacheControl {
  type: "ephemeral";
  ttl?: string;
}

export type ImageSource = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };

export type DocumentSource =
  | { type: "base64"; media_type: "application/pdf"; data: string }
  | { type: "text"; media_type: "text/plain"; data: string }
  | { type: "url"; url: string };

export interface TextBlock {
  type: "text";
  text: string;
  cache_control?: CacheControl;
}

export interface ImageBlock {
  type: "image";
  source: ImageSource;
  cache_control?: CacheControl;
}

export interface DocumentBlock {
  type: "document";
  source: DocumentSource;
  title?: string;
  cache_control?: CacheControl;
}

export interface ToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content?: Array<TextBlock | ImageBlock | DocumentBlock>;
  is_error?: boolean;
  cache_control?: CacheControl;
}

export interface ThinkingBlock {
  type: "thinking";
  thinking: string;
  signature: string;
}

export interface RedactedThinkingBlock {
  type: "redacted_thinking";
  data: string;
}

export type ContentBlock = TextBlock | ImageBlock | DocumentBlock | ToolUseBlock | ToolResultBlock | ThinkingBlock | RedactedThinkingBlock;

export interface Turn {
  role: "user" | "assistant";
  content: ContentBlock[];
}

export interface Tool {
  name: string;
  description?: string;
  input_schema: unknown;
  strict?: boolean;
  cache_control?: CacheControl;
}

export type ToolChoice =
  | { type: "auto"; disable_parallel_tool_use?: boolean }
  | { type: "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: Turn[];
  system?: string | TextBlock[];
  tools?: Tool[];
  tool_choice?: ToolChoice;
  thinking?: { type: "enabled"; budget_tokens: number } | { type: "adaptive" };
  output_config?: { format?: { type: "json_schema"; schema: unknown }; effort?: "low" | "medium" | "high" };
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id: string };
  stream?: true;
}
