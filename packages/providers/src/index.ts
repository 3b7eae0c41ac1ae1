export { AnthropicAdapter } from "./anthropic/adapter.js";
export { cancellationOf } from "./cancellation.js";
export { GeminiAdapter } from "./gemini/adapter.js";
export { GEMINI_EMBED_BATCH } from "./gemini/embeddings.js";
export { OpenAiAdapter } from "./openai/adapter.js";
export { readOpenAiUsage } from "./openai/usage.js";
export {
  type Answer,
  answerContext,
  type Cancellation,
  type ClientRequest,
  type EmbeddingCall,
  embeddingContext,
  type JsonAnswer,
  type ProviderAdapter,
  type ProviderCall,
  type StreamOutcome,
  type TokenCountCall,
} from "./provider.js";
export { type CredentialSource, createProviderRegistry, type ProviderRegistry } from "./registry.js";
export { SANDBOX_PROVIDER_ID, SandboxAdapter } from "./sandbox/adapter.js";
export { sandboxVector } from "./sandbox/embeddings.js";
export { isSimulatedFailure, SIMULATED_FAILURES, type SimulatedFailure } from "./sandbox/simulate.js";
export { SseFramer } from "./sse-framer.js";
export { relayStream, type StreamEnd, type StreamTranslation } from "./stream-relay.js";
export {
  countEmbeddingInputs,
  countPromptTokens,
  countRequestTokens,
  countTokens,
  type InputCount,
  type PromptCount,
  warmTokenizer,
} from "./tokenizer.js";
export { type BodySink, MAX_JSON_ANSWER_BYTES, UpstreamClient, type UpstreamResponse } from "./upstream-client.js";
export { ClientAbortedError, isRetryableUpstreamError, UpstreamError } from "./upstream-error.js";
export { mapUpstreamStatus, sanitizeUpstreamMessage } from "./upstream-status.js";
