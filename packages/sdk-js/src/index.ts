/**
 * `bentoo`: the official JavaScript/TypeScript SDK of Bentoo.
 *
 *   import Bentoo from "bentoo";
 *   const client = new Bentoo(); // BENTOO_API_KEY, BENTOO_BASE_URL
 */
import { Bentoo } from "./client.js";

export default Bentoo;
export { Bentoo, DEFAULT_BASE_URL, type ClientOptions } from "./client.js";
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
export { Stream } from "./streaming.js";
export { Page, PagePromise, type CursorPageBody } from "./pagination.js";
export type { Fetch, HeadersInput, RequestOptions } from "./transport.js";
export { VERSION } from "./version.js";

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
export { Models, type Model, type ModelList } from "./resources/models.js";
export { Key, type KeyInfo } from "./resources/key.js";
export { Audit } from "./resources/audit/audit.js";
export { Logs } from "./resources/audit/logs.js";
export type { AuditEvent, AuditLogExportParams, AuditLogFilters, AuditLogListParams, AuditRecord, Timestamp } from "./resources/audit/types.js";
