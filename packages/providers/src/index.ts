export type { ChatAdapter, ChatCall, ChatResult, JsonChatResult, StreamChatResult, StreamOutcome, Usage } from "./adapter.js";
export { ClientAbortedError, UpstreamError, isRetryableUpstreamError } from "./upstream-error.js";
export { OpenAiCompatibleAdapter } from "./openai-compatible/adapter.js";
export { sanitizeUpstreamMessage } from "./openai-compatible/errors.js";
export { SandboxAdapter, SANDBOX_PROVIDER_ID } from "./sandbox/adapter.js";
export { SseTap } from "./sse-tap.js";
export { writeChunk } from "./stream-writer.js";
export { countTokens, countPromptTokens, warmTokenizer } from "./tokenizer.js";
export { createProviderRegistry, type CredentialSource, type ProviderRegistry } from "./registry.js";
