/**
 * Responses API types, mirroring OpenAI's API reference
 * (https://platform.openai.com/docs/api-reference/responses) for what Bentoo
 * serves: messages, function tools and their calls and outputs, reasoning, text
 * formats; plus Bentoo's usage fields (`cost`, `cost_micros`, `estimated`).
 * Request params accept extra fields, sent unchanged.
 */

// ---------------------------------------------------------------- input

export interface ResponseInputText {
  type: "input_text";
  text: string;
}

export interface ResponseInputImage {
  type: "input_image";
  /** A URL or a `data:` URL. */
  image_url: string;
  detail?: "auto" | "low" | "high";
}

export interface ResponseInputFile {
  type: "input_file";
  /** A `data:` URL (or base64 with `filename`). */
  file_data?: string;
  file_url?: string;
  filename?: string;
}

export type ResponseInputContent = ResponseInputText | ResponseInputImage | ResponseInputFile;

export interface EasyInputMessage {
  type?: "message";
  role: "user" | "assistant" | "system" | "developer";
  content: string | Array<ResponseInputContent | ResponseOutputText | ResponseOutputRefusal>;
}

export interface ResponseFunctionCallOutputItem {
  type: "function_call_output";
  call_id: string;
  output: string | ResponseInputContent[];
}

export interface ResponseItemReference {
  type: "item_reference";
  /** The id of an output item of a stored response (`msg_…`, `fc_…`, `rs_…`). */
  id: string;
}

export type ResponseInputItem = EasyInputMessage | ResponseOutputItem | ResponseFunctionCallOutputItem | ResponseItemReference;

// ---------------------------------------------------------------- tools and formats

export interface FunctionTool {
  type: "function";
  name: string;
  description?: string | null;
  /** A JSON Schema object. */
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

export type ToolChoice =
  | "auto"
  | "none"
  | "required"
  | { type: "function"; name: string }
  | { type: "allowed_tools"; mode: "auto" | "required"; tools: Array<{ type: "function"; name: string }> };

export type ResponseFormatText =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean | null; description?: string };

export interface ResponseTextConfig {
  format?: ResponseFormatText;
  verbosity?: "low" | "medium" | "high" | null;
}

// ---------------------------------------------------------------- request

export interface ResponseCreateParamsBase {
  model: string;
  input?: string | ResponseInputItem[];
  instructions?: string | null;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  text?: ResponseTextConfig;
  reasoning?: { effort?: "none" | "minimal" | "low" | "medium" | "high" | null; summary?: "auto" | "concise" | "detailed" | null } | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  parallel_tool_calls?: boolean | null;
  metadata?: Record<string, string> | null;
  user?: string;
  /** Keep the response for `previous_response_id` and `responses.retrieve` (default true). */
  store?: boolean | null;
  previous_response_id?: string | null;
  stream?: boolean | null;
  [field: string]: unknown;
}

export interface ResponseCreateParamsNonStreaming extends ResponseCreateParamsBase {
  stream?: false | null;
}

export interface ResponseCreateParamsStreaming extends ResponseCreateParamsBase {
  stream: true;
}

export type ResponseCreateParams = ResponseCreateParamsNonStreaming | ResponseCreateParamsStreaming;

// ---------------------------------------------------------------- output

export interface ResponseOutputText {
  type: "output_text";
  text: string;
  annotations: unknown[];
  logprobs?: unknown[];
}

export interface ResponseOutputRefusal {
  type: "refusal";
  refusal: string;
}

export interface ResponseOutputMessage {
  id: string;
  type: "message";
  role: "assistant";
  status: "in_progress" | "completed" | "incomplete";
  content: Array<ResponseOutputText | ResponseOutputRefusal>;
}

export interface ResponseFunctionToolCall {
  id?: string;
  type: "function_call";
  call_id: string;
  name: string;
  /** The arguments as JSON text. */
  arguments: string;
  status?: "in_progress" | "completed" | "incomplete";
}

export interface ResponseReasoningItem {
  id: string;
  type: "reasoning";
  summary: Array<{ type: "summary_text"; text: string }>;
  content?: Array<{ type: "reasoning_text"; text: string }>;
}

export type ResponseOutputItem = ResponseOutputMessage | ResponseFunctionToolCall | ResponseReasoningItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** USD, for display; `cost_micros` is the exact charge. */
  cost?: number;
  /** Exact integer micro-dollars charged for this response (0 on test keys). */
  cost_micros?: number;
  /** The provider reported no usage; Bentoo counted the tokens itself. */
  estimated?: boolean;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** A Response object as the server sends it (in stream events, without `output_text`). */
export interface ResponseObject {
  /** `resp_…` */
  id: string;
  object: "response";
  /** Unix seconds. */
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponseOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null } | null;
  store: boolean;
  temperature: number | null;
  text: ResponseTextConfig;
  tool_choice: ToolChoice;
  tools: FunctionTool[];
  top_p: number | null;
  truncation: "auto" | "disabled" | null;
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
  [field: string]: unknown;
}

/** A Response as `create` and `retrieve` return it. */
export interface Response extends ResponseObject {
  /** Every `output_text` of the output's messages, joined: added by the SDK, as OpenAI's SDK does. */
  output_text: string;
}

// ---------------------------------------------------------------- stream events

interface StreamEventBase {
  sequence_number: number;
}

export type ResponseStreamEvent = StreamEventBase &
  (
    | { type: "response.created" | "response.in_progress" | "response.completed" | "response.incomplete" | "response.failed"; response: ResponseObject }
    | { type: "response.output_item.added" | "response.output_item.done"; output_index: number; item: ResponseOutputItem }
    | {
        type: "response.content_part.added" | "response.content_part.done";
        item_id: string;
        output_index: number;
        content_index: number;
        part: ResponseOutputText;
      }
    | { type: "response.output_text.delta"; item_id: string; output_index: number; content_index: number; delta: string }
    | { type: "response.output_text.done"; item_id: string; output_index: number; content_index: number; text: string }
    | { type: "response.function_call_arguments.delta"; item_id: string; output_index: number; delta: string }
    | { type: "response.function_call_arguments.done"; item_id: string; output_index: number; name: string; arguments: string }
    | {
        type: "response.reasoning_summary_part.added" | "response.reasoning_summary_part.done";
        item_id: string;
        output_index: number;
        summary_index: number;
        part: { type: "summary_text"; text: string };
      }
    | { type: "response.reasoning_summary_text.delta"; item_id: string; output_index: number; summary_index: number; delta: string }
    | { type: "response.reasoning_summary_text.done"; item_id: string; output_index: number; summary_index: number; text: string }
    | { type: "error"; code: string | null; message: string; param: string | null }
  );

/** What `responses.delete` confirms. */
export interface ResponseDeleted {
  id: string;
  object: "response";
  deleted: true;
}
