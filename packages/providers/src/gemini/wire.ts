/**
 * The Gemini API's wire shapes, as far as Bentoo writes and reads them, and the
 * one reader of its answers (a GenerateContentResponse, whole or one stream chunk),
 * which narrows the JSON it received into these types.
 *
 * - Content, Part, Blob, FileData, FunctionCall, FunctionResponse, Tool,
 *   FunctionDeclaration, ToolConfig: https://ai.google.dev/api/caching#Content
 * - GenerateContentRequest, GenerationConfig, ThinkingConfig, GenerateContentResponse,
 *   Candidate, FinishReason, PromptFeedback, UsageMetadata:
 *   https://ai.google.dev/api/generate-content
 */

export interface GeminiBlob {
  mimeType: string;
  /** Base64. */
  data: string;
}

export interface GeminiPart {
  text?: string;
  /** The part is a thought summary (the model's reasoning), not the answer. */
  thought?: boolean;
  /** Opaque, base64: handed back with the part it came with (https://ai.google.dev/gemini-api/docs/thought-signatures). */
  thoughtSignature?: string;
  inlineData?: GeminiBlob;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { name: string; args: Record<string, unknown> };
  functionResponse?: { name: string; response: Record<string, unknown> };
}

export type GeminiRole = "user" | "model";

export interface GeminiContent {
  role: GeminiRole;
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (the alternative to `parameters`, which takes an OpenAPI subset). */
  parametersJsonSchema?: unknown;
}

export type GeminiFunctionCallingMode = "AUTO" | "ANY" | "NONE" | "VALIDATED";

export interface GeminiThinkingConfig {
  includeThoughts?: boolean;
  thinkingBudget?: number;
  thinkingLevel?: "MINIMAL" | "LOW" | "MEDIUM" | "HIGH";
}

export interface GeminiGenerationConfig {
  stopSequences?: string[];
  responseMimeType?: string;
  responseJsonSchema?: unknown;
  candidateCount?: number;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

/** A part of an answer, narrowed to what Bentoo shows: text, thoughts and function calls. */
export type AnswerPart =
  | { kind: "text"; text: string; thought: boolean }
  | { kind: "function-call"; name: string; args: Record<string, unknown>; signature: string | null };

export interface AnswerCandidate {
  index: number;
  parts: AnswerPart[];
  /** Absent while the candidate is still being generated (a stream chunk). */
  finishReason: string | null;
  finishMessage: string | null;
}

export interface GeminiUsageMetadata {
  promptTokenCount: number;
  cachedContentTokenCount: number;
  candidatesTokenCount: number;
  thoughtsTokenCount: number;
  toolUsePromptTokenCount: number;
}

export interface GeminiAnswer {
  responseId: string | null;
  candidates: AnswerCandidate[];
  /** Set when the prompt itself was blocked: no candidate is generated. */
  blockReason: string | null;
  usage: GeminiUsageMetadata | null;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function readPart(value: unknown): AnswerPart | null {
  if (!isObject(value)) return null;
  const call = value.functionCall;
  if (isObject(call) && typeof call.name === "string") {
    const args = isObject(call.args) ? call.args : {};
    return { kind: "function-call", name: call.name, args, signature: optionalString(value.thoughtSignature) };
  }
  if (typeof value.text === "string") return { kind: "text", text: value.text, thought: value.thought === true };
  // Other parts (inline media, executable code) come only with features Bentoo never asks for.
  return null;
}

function readCandidate(value: unknown, position: number): AnswerCandidate | null {
  if (!isObject(value)) return null;
  const content = isObject(value.content) ? value.content : {};
  const parts = Array.isArray(content.parts) ? content.parts.map(readPart).filter((part): part is AnswerPart => part !== null) : [];
  return {
    index: count(value.index) ?? position,
    parts,
    finishReason: optionalString(value.finishReason),
    finishMessage: optionalString(value.finishMessage),
  };
}

/** The usage report, or null when it has no prompt count (a report Bentoo cannot bill from). */
export function readUsageMetadata(value: unknown): GeminiUsageMetadata | null {
  if (!isObject(value)) return null;
  const prompt = count(value.promptTokenCount);
  if (prompt === null) return null;
  return {
    promptTokenCount: prompt,
    cachedContentTokenCount: count(value.cachedContentTokenCount) ?? 0,
    candidatesTokenCount: count(value.candidatesTokenCount) ?? 0,
    thoughtsTokenCount: count(value.thoughtsTokenCount) ?? 0,
    toolUsePromptTokenCount: count(value.toolUsePromptTokenCount) ?? 0,
  };
}

/** A GenerateContentResponse (a whole answer or one stream chunk), or null when the JSON is not one. */
export function readGeminiAnswer(value: unknown): GeminiAnswer | null {
  if (!isObject(value) || isObject(value.error)) return null;
  const feedback = isObject(value.promptFeedback) ? value.promptFeedback : {};
  const candidates = Array.isArray(value.candidates)
    ? value.candidates.map(readCandidate).filter((candidate): candidate is AnswerCandidate => candidate !== null)
    : [];
  return {
    responseId: optionalString(value.responseId),
    candidates,
    blockReason: optionalString(feedback.blockReason),
    usage: readUsageMetadata(value.usageMetadata),
  };
}

export interface GeminiError {
  message: string;
  status: string | null;
  /** The `reason` of its ErrorInfo details (`API_KEY_INVALID`). */
  reasons: string[];
  /** Its RetryInfo detail's `retryDelay` (a Duration, `"32s"`), in ms. */
  retryDelayMs: number | null;
}

/** An error body (`{"error": {"code", "message", "status", "details"}}`), if the JSON is one. */
export function readGeminiError(value: unknown): GeminiError | null {
  if (!isObject(value) || !isObject(value.error)) return null;
  const error = value.error;
  const details = Array.isArray(error.details) ? error.details.filter(isObject) : [];
  const delay = details.map((detail) => /^(\d+(?:\.\d+)?)s$/.exec(String(detail.retryDelay))).find((match) => match !== null);
  return {
    message: typeof error.message === "string" ? error.message : "the provider reported an error",
    status: optionalString(error.status),
    reasons: details.flatMap((detail) => (typeof detail.reason === "string" ? [detail.reason] : [])),
    retryDelayMs: delay == null ? null : Math.ceil(Number(delay[1]) * 1000),
  };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
