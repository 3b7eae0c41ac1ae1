/**
 * `bentoo`: the official JavaScript/TypeScript SDK of Bentoo.
 *
 *   import Bentoo from "bentoo";
 *   const client = new Bentoo(); // BENTOO_API_KEY, BENTOO_BASE_URL
 */
import { Bentoo } from "./client.js";

export default Bentoo;
export { Bentoo, type ClientOptions, DEFAULT_BASE_URL } from "./client.js";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  BentooError,
  ConflictError,
  InsufficientCreditsError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "./errors.js";
export { type CursorPageBody, Page, PagePromise } from "./pagination.js";
export { Audit } from "./resources/audit/audit.js";
export { Logs } from "./resources/audit/logs.js";
export type { AuditEvent, AuditLogExportParams, AuditLogFilters, AuditLogListParams, AuditRecord, Timestamp } from "./resources/audit/types.js";

export { Chat } from "./resources/chat/chat.js";
export { Completions } from "./resources/chat/completions.js";
export type {
  ChatCompletion,
  ChatCompletionAssistantMessageParam,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionChunkDelta,
  ChatCompletionChunkToolCall,
  ChatCompletionContentPart,
  ChatCompletionContentPartImage,
  ChatCompletionContentPartInputAudio,
  ChatCompletionContentPartRefusal,
  ChatCompletionContentPartText,
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionDeveloperMessageParam,
  ChatCompletionFinishReason,
  ChatCompletionLogprobs,
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionSystemMessageParam,
  ChatCompletionTokenLogprob,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
  ChatCompletionToolMessageParam,
  ChatCompletionUserMessageParam,
  CompletionUsage,
  FunctionDefinition,
  ResponseFormat,
} from "./resources/chat/types.js";
export {
  type CreateEmbeddingResponse,
  type Embedding,
  type EmbeddingCreateParams,
  Embeddings,
  type EmbeddingUsage,
} from "./resources/embeddings.js";
export { Key, type KeyInfo } from "./resources/key.js";
export { type Model, type ModelList, Models } from "./resources/models.js";
export { Responses } from "./resources/responses/responses.js";
export type {
  EasyInputMessage,
  FunctionTool,
  Response,
  ResponseCreateParams,
  ResponseCreateParamsBase,
  ResponseCreateParamsNonStreaming,
  ResponseCreateParamsStreaming,
  ResponseDeleted,
  ResponseFormatText,
  ResponseFunctionCallOutputItem,
  ResponseFunctionToolCall,
  ResponseInputContent,
  ResponseInputFile,
  ResponseInputImage,
  ResponseInputItem,
  ResponseInputText,
  ResponseItemReference,
  ResponseObject,
  ResponseOutputItem,
  ResponseOutputMessage,
  ResponseOutputRefusal,
  ResponseOutputText,
  ResponseReasoningItem,
  ResponseStatus,
  ResponseStreamEvent,
  ResponseTextConfig,
  ResponseUsage,
  ToolChoice,
} from "./resources/responses/types.js";
export { Stream } from "./streaming.js";
export type { Fetch, HeadersInput, RequestOptions } from "./transport.js";
export { VERSION } from "./version.js";
