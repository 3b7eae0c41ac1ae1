// Pure helpers for the fake Gemini upstream: the request checks a real Gemini
// makes, the deterministic answer and its token counts, and the answer's wire
// shapes. Nothing here touches sockets. Shapes follow the Gemini API reference:
// https://ai.google.dev/api/generate-content (GenerateContentResponse, Candidate,
// FinishReason, PromptFeedback, UsageMetadata) and https://ai.google.dev/api/caching#Content
// (Content, Part, FunctionCall, FunctionResponse).
import { countWords, isObject, type JsonObject } from "./fake-upstream-openai.js";

/** Gemini's error envelope (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes). */
export function geminiError(code: number, status: string, message: string, details?: unknown[]): JsonObject {
  return { error: { code, message, status, ...(details === undefined ? {} : { details }) } };
}

export class FakeGeminiError extends Error {
  constructor(
    readonly status: number,
    readonly body: JsonObject,
  ) {
    super(String((body.error as JsonObject).message));
  }
}

const invalid = (message: string) => new FakeGeminiError(400, geminiError(400, "INVALID_ARGUMENT", message));

const REQUEST_FIELDS = new Set(["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "cachedContent"]);
const CONFIG_FIELDS = new Set([
  "stopSequences",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "candidateCount",
  "maxOutputTokens",
  "temperature",
  "topP",
  "topK",
  "seed",
  "presencePenalty",
  "frequencyPenalty",
  "thinkingConfig",
]);
const PART_DATA = ["text", "inlineData", "fileData", "functionCall", "functionResponse"];
/** Tokens an image or file counts, as a small image does on Gemini (https://ai.google.dev/gemini-api/docs/tokens#multimodal-tokens). */
export const MEDIA_TOKENS = 258;
/** What Gemini 3 accepts in place of a function call's unknown thought signature. */
export const UNKNOWN_SIGNATURE = "skip_thought_signature_validator";

/** The checks Gemini makes that a translator could get wrong; throws a 400 in Gemini's shape. */
export function checkRequest(body: JsonObject, model: string, issuedSignatures: ReadonlySet<string>): void {
  for (const name of Object.keys(body))
    if (!REQUEST_FIELDS.has(name)) throw invalid(`Invalid JSON payload received. Unknown name "${name}": Cannot find field.`);
  if (!Array.isArray(body.contents) || body.contents.length === 0) throw invalid("* GenerateContentRequest.contents: contents is not specified");
  for (const content of body.contents) {
    if (!isObject(content) || (content.role !== "user" && content.role !== "model")) throw invalid("Please use a valid role: user, model.");
    if (!Array.isArray(content.parts) || content.parts.length === 0) throw invalid("* GenerateContentRequest.contents: contents.parts must not be empty.");
    for (const part of content.parts) checkPart(part);
    if (model.includes("signed") && content.role === "model") checkSignatures(content.parts as JsonObject[], issuedSignatures);
  }
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  for (const name of Object.keys(config))
    if (!CONFIG_FIELDS.has(name)) throw invalid(`Invalid JSON payload received. Unknown name "${name}" at 'generation_config'.`);
  const thinking = isObject(config.thinkingConfig) ? config.thinkingConfig : {};
  if (thinking.thinkingLevel !== undefined && thinking.thinkingBudget !== undefined)
    throw invalid("You can only set either thinking budget or thinking level.");
  if (thinking.thinkingLevel !== undefined && model.startsWith("gemini-2")) throw invalid("Thinking level is not supported for this model.");
  const candidates = config.candidateCount;
  if (candidates !== undefined && (typeof candidates !== "number" || candidates < 1 || candidates > 8))
    throw invalid("candidateCount must be between 1 and 8.");
}

function checkPart(part: unknown): void {
  if (!isObject(part)) throw invalid("Invalid value at 'contents.parts': a part must be an object.");
  const data = PART_DATA.filter((name) => part[name] !== undefined);
  if (data.length !== 1) throw invalid(`A part must hold exactly one of ${PART_DATA.join(", ")}; this one holds ${data.length}.`);
  const inline = part.inlineData;
  if (isObject(inline) && (typeof inline.mimeType !== "string" || typeof inline.data !== "string")) throw invalid("inlineData needs mimeType and data.");
  const file = part.fileData;
  if (isObject(file) && typeof file.fileUri !== "string") throw invalid("fileData needs a fileUri.");
  const call = part.functionCall;
  if (isObject(call) && (typeof call.name !== "string" || (call.args !== undefined && !isObject(call.args))))
    throw invalid("functionCall needs a name and object args.");
  const response = part.functionResponse;
  if (isObject(response) && (typeof response.name !== "string" || !isObject(response.response)))
    throw invalid("* GenerateContentRequest.contents.parts.function_response.name: Name cannot be empty.");
}

/** Gemini 3's rule: each step's first function call carries the signature it was issued with (or the documented placeholder). */
function checkSignatures(parts: readonly JsonObject[], issued: ReadonlySet<string>): void {
  const first = parts.find((part) => part.functionCall !== undefined);
  if (first === undefined) return;
  const signature = first.thoughtSignature;
  if (typeof signature !== "string")
    throw invalid("Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly.");
  if (signature !== UNKNOWN_SIGNATURE && !issued.has(signature)) throw invalid("Corrupted thought signature.");
}

/** What the fake decided to answer, before it is put in a JSON or SSE shape. */
export interface FakeAnswer {
  /** The text of each candidate, cut in the pieces a stream sends (concatenated, they are the text). */
  pieces: string[];
  /** A thought summary shown before the text (only when the request asked for thoughts). */
  thought: string | null;
  calls: Array<{ name: string; args: unknown; thoughtSignature?: string }>;
  finishReason: "STOP" | "MAX_TOKENS" | "SAFETY";
  blockReason: string | null;
  candidates: number;
  usage: JsonObject;
}

/** A stand-in value that fits a JSON Schema: what a model asked for structured output would write. */
export function valueFor(schema: unknown): unknown {
  const node = isObject(schema) ? schema : {};
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  if (Array.isArray(node.enum) && node.enum.length > 0) return node.enum[0];
  switch (type) {
    case "object": {
      const properties = isObject(node.properties) ? node.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valueFor(property)]));
    }
    case "array":
      return [valueFor(node.items)];
    case "integer":
    case "number":
      return 42;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return "fake";
  }
}

/** Prompt tokens: words of every text part, MEDIA_TOKENS per image or file, a function call or response's JSON in words plus 1. */
export function promptTokens(body: JsonObject): number {
  const contents = [...(body.contents as JsonObject[]), ...(isObject(body.systemInstruction) ? [body.systemInstruction] : [])];
  let total = 0;
  for (const content of contents) {
    for (const part of (content.parts as JsonObject[] | undefined) ?? []) {
      if (typeof part.text === "string") total += countWords(part.text);
      else if (part.inlineData !== undefined || part.fileData !== undefined) total += MEDIA_TOKENS;
      else total += 1 + countWords(JSON.stringify(part.functionCall ?? part.functionResponse).replaceAll(",", ", "));
    }
  }
  return total;
}

/** Splits text into stream pieces that keep its spaces: "a b" → ["a ", "b"]. */
export function textPieces(text: string): string[] {
  return text.split(/(?<= )/).filter((piece) => piece !== "");
}

function lastUserContent(body: JsonObject): JsonObject[] {
  const contents = body.contents as JsonObject[];
  for (let index = contents.length - 1; index >= 0; index -= 1) if (contents[index]!.role === "user") return contents[index]!.parts as JsonObject[];
  return [];
}

function answerText(body: JsonObject): string {
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  if (config.responseMimeType === "application/json")
    return JSON.stringify(config.responseJsonSchema === undefined ? { fake: true } : valueFor(config.responseJsonSchema));
  const parts = lastUserContent(body);
  const results = parts.flatMap((part) => (isObject(part.functionResponse) ? [part.functionResponse] : []));
  if (results.length > 0) return `Fake Gemini answer to: ${results.map((result) => `${result.name} returned ${JSON.stringify(result.response)}`).join("; ")}`;
  const text = parts.flatMap((part) => (typeof part.text === "string" ? [part.text] : [])).join(" ");
  const media = parts.filter((part) => part.inlineData !== undefined || part.fileData !== undefined).length;
  const echo = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return `Fake Gemini answer to: ${echo}${media === 0 ? "" : ` (with ${media} media part${media === 1 ? "" : "s"})`}`;
}

/** The function call the fake makes, if any: forced by mode ANY, or chosen by the `fake-…tools` models unless answering results. */
function functionCall(body: JsonObject, model: string, nextSignature: () => string): FakeAnswer["calls"] {
  const declarations = Array.isArray(body.tools)
    ? body.tools.flatMap((tool: unknown) => (isObject(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []))
    : [];
  if (declarations.length === 0) return [];
  const config = isObject(body.toolConfig) && isObject(body.toolConfig.functionCallingConfig) ? body.toolConfig.functionCallingConfig : {};
  const answeringResults = lastUserContent(body).some((part) => part.functionResponse !== undefined);
  const forced = config.mode === "ANY";
  if (config.mode === "NONE" || !(forced || (model.includes("tools") && !answeringResults))) return [];
  const allowed = Array.isArray(config.allowedFunctionNames) ? config.allowedFunctionNames : [];
  const declaration = (declarations as JsonObject[]).find((candidate) => allowed.length === 0 || allowed.includes(candidate.name)) ?? declarations[0];
  const name = String((declaration as JsonObject).name);
  const args = valueFor((declaration as JsonObject).parametersJsonSchema ?? { type: "object" });
  return [{ name, args, ...(model.includes("signed") ? { thoughtSignature: nextSignature() } : {}) }];
}

/** The deterministic answer to a checked request; see README.md for the rules. */
export function buildAnswer(body: JsonObject, model: string, nextSignature: () => string): FakeAnswer {
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  const thinking = isObject(config.thinkingConfig) ? config.thinkingConfig : {};
  const candidates = typeof config.candidateCount === "number" ? config.candidateCount : 1;
  const prompt = promptTokens(body);
  const calls = functionCall(body, model, nextSignature);
  let pieces = calls.length > 0 ? [] : textPieces(answerText(body));
  let finishReason: FakeAnswer["finishReason"] = "STOP";
  if (typeof config.maxOutputTokens === "number" && pieces.length > config.maxOutputTokens) {
    pieces = pieces.slice(0, config.maxOutputTokens);
    pieces[pieces.length - 1] = pieces.at(-1)!.trimEnd();
    finishReason = "MAX_TOKENS";
  }
  if (model === "fake-safety") {
    pieces = pieces.slice(0, 2);
    finishReason = "SAFETY";
  }
  const thoughtText = model === "fake-thinking" ? "Thinking about how to answer this briefly." : null;
  const thoughts = thoughtText === null ? 0 : countWords(thoughtText) * candidates;
  const output = model === "fake-prompt-blocked" ? 0 : (pieces.length + calls.length * 5) * candidates;
  const usage: JsonObject = { promptTokenCount: prompt, candidatesTokenCount: output, totalTokenCount: prompt + output + thoughts };
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  if (model === "fake-cached") usage.cachedContentTokenCount = Math.floor(prompt / 2);
  if (model === "fake-prompt-blocked") delete usage.candidatesTokenCount;
  return {
    pieces,
    thought: thinking.includeThoughts === true ? thoughtText : null,
    calls,
    finishReason,
    blockReason: model === "fake-prompt-blocked" ? "SAFETY" : null,
    candidates,
    usage,
  };
}

const SAFETY_RATINGS = [
  { category: "HARM_CATEGORY_HARASSMENT", probability: "NEGLIGIBLE" },
  { category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true },
];

/** One candidate of a response (or of a stream chunk): these parts, and the finish when it is the last. */
export function candidate(index: number, parts: JsonObject[], finishReason: string | null): JsonObject {
  const result: JsonObject = {};
  if (parts.length > 0) result.content = { parts, role: "model" };
  if (finishReason !== null) result.finishReason = finishReason;
  result.index = index;
  if (finishReason === "SAFETY") result.safetyRatings = SAFETY_RATINGS;
  return result;
}

/** A GenerateContentResponse (whole, or one stream chunk) with every candidate holding the same parts. */
export function response(
  answer: FakeAnswer,
  parts: JsonObject[],
  finishReason: string | null,
  usage: JsonObject,
  meta: { model: string; id: string },
): JsonObject {
  const body: JsonObject = {};
  if (answer.blockReason !== null) body.promptFeedback = { blockReason: answer.blockReason, safetyRatings: SAFETY_RATINGS };
  else body.candidates = Array.from({ length: answer.candidates }, (_, index) => candidate(index, parts, finishReason));
  body.usageMetadata = usage;
  body.modelVersion = meta.model;
  body.responseId = meta.id;
  return body;
}

/** The parts of a whole answer: thought, text, function calls. */
export function answerParts(answer: FakeAnswer): JsonObject[] {
  const parts: JsonObject[] = [];
  if (answer.thought !== null) parts.push({ text: answer.thought, thought: true });
  if (answer.finishReason !== "SAFETY" && answer.pieces.length > 0) parts.push({ text: answer.pieces.join("") });
  for (const call of answer.calls)
    parts.push({
      functionCall: { name: call.name, args: call.args },
      ...(call.thoughtSignature === undefined ? {} : { thoughtSignature: call.thoughtSignature }),
    });
  return parts;
}
