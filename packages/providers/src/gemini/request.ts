import type { ModelRequest, ReasoningEffort } from "@bentoo/core";
import { geminiContents } from "./contents.js";
import { refuse } from "./refuse.js";
import type { GeminiGenerationConfig, GeminiRequest, GeminiThinkingConfig } from "./wire.js";

/**
 * A request in Bentoo's terms as a Gemini GenerateContentRequest.
 * https://ai.google.dev/api/generate-content#request-body (GenerationConfig,
 * ThinkingConfig) and https://ai.google.dev/api/caching#Tool (FunctionDeclaration,
 * ToolConfig, FunctionCallingConfig); contents.ts maps the conversation.
 *
 * - Tools: `functionDeclarations` with the client's JSON Schema as
 *   `parametersJsonSchema`, unchanged (Gemini validates it and refuses keywords it
 *   does not support, https://ai.google.dev/gemini-api/docs/function-calling).
 *   `strict` asks for checked calls: mode VALIDATED when the choice is left to the model.
 * - Tool choice → `toolConfig.functionCallingConfig`: auto → AUTO, none → NONE,
 *   required → ANY, a named tool → ANY with `allowedFunctionNames`.
 *   `parallel_tool_calls: false` has no equivalent (Gemini decides) and is refused.
 * - Output: json_object → `responseMimeType: application/json`; json_schema →
 *   that plus `responseJsonSchema` (JSON Schema, https://ai.google.dev/gemini-api/docs/structured-output).
 * - `n` → `candidateCount` (Gemini generates at most 8); stop → `stopSequences`
 *   (at most 5); max output tokens, temperature, top_p, top_k, seed, presence and
 *   frequency penalties → their GenerationConfig namesakes (a model that does not
 *   take one answers a 400 that names it).
 * - Reasoning (https://ai.google.dev/gemini-api/docs/thinking): a token budget →
 *   `thinkingBudget`; an effort → `thinkingLevel` on Gemini 3 and later, and on
 *   Gemini 2.x (which has budgets only) the budgets Google's own OpenAI-compatible
 *   endpoint uses: minimal and low 1,024, medium 8,192, high 24,576. Thought
 *   summaries are asked for (`includeThoughts`) whenever reasoning is.
 * - Parameters no Gemini request can carry (`request.unsupported`) are refused by name.
 *   The end-user id and metadata have no Gemini field and do not change the answer:
 *   they are not sent.
 */

const MAX_CANDIDATES = 8;
const MAX_STOP_SEQUENCES = 5;
const EFFORT_BUDGETS: Record<ReasoningEffort, number> = { minimal: 1024, low: 1024, medium: 8192, high: 24576 };
const EFFORT_LEVELS: Record<ReasoningEffort, NonNullable<GeminiThinkingConfig["thinkingLevel"]>> = {
  minimal: "MINIMAL",
  low: "LOW",
  medium: "MEDIUM",
  high: "HIGH",
};
/** Gemini 1.x and 2.x (and Gemma): thinking budgets instead of levels, and no thought-signature check. */
const GEMINI_2_OR_EARLIER = /^(?:models\/)?(?:gemini-[12]\b|gemma)/i;

export function toGeminiRequest(request: ModelRequest, upstreamModel: string): GeminiRequest {
  const unsupported = request.unsupported[0];
  if (unsupported !== undefined) refuse(`${unsupported} is not supported by this model's provider (Gemini); remove it.`, unsupported);
  const legacy = GEMINI_2_OR_EARLIER.test(upstreamModel);
  const body: GeminiRequest = geminiContents(request, !legacy);
  if (request.tools.length > 0) {
    body.tools = [{ functionDeclarations: request.tools.map(functionDeclaration) }];
    const toolConfig = functionCallingConfig(request);
    if (toolConfig !== null) body.toolConfig = { functionCallingConfig: toolConfig };
    if (request.parallelToolCalls === false)
      refuse("parallel_tool_calls: false is not supported by this model's provider (Gemini decides how many calls to make); remove it.", "parallel_tool_calls");
  }
  const config = generationConfig(request, legacy);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

function functionDeclaration(tool: ModelRequest["tools"][number]): { name: string; description?: string; parametersJsonSchema?: unknown } {
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    ...(tool.parameters === undefined ? {} : { parametersJsonSchema: tool.parameters }),
  };
}

function functionCallingConfig(request: ModelRequest): NonNullable<GeminiRequest["toolConfig"]>["functionCallingConfig"] | null {
  const strict = request.tools.some((tool) => tool.strict === true);
  const choice = request.toolChoice;
  switch (choice?.type) {
    case undefined:
      return strict ? { mode: "VALIDATED" } : null;
    case "auto":
      return { mode: strict ? "VALIDATED" : "AUTO" };
    case "none":
      return { mode: "NONE" };
    case "required":
      return { mode: "ANY" };
    case "tool":
      if (!request.tools.some((tool) => tool.name === choice.name))
        refuse(`tool_choice names the function "${choice.name}", which is not among the tools.`, "tool_choice");
      return { mode: "ANY", allowedFunctionNames: [choice.name] };
  }
}

function generationConfig(request: ModelRequest, legacy: boolean): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.stop.length > MAX_STOP_SEQUENCES)
    refuse(`stop has ${request.stop.length} sequences; this model's provider (Gemini) takes at most ${MAX_STOP_SEQUENCES}.`, "stop");
  if (request.stop.length > 0) config.stopSequences = request.stop;
  if (request.output.type !== "text") config.responseMimeType = "application/json";
  if (request.output.type === "json_schema") config.responseJsonSchema = request.output.schema;
  if (request.choices > MAX_CANDIDATES) refuse(`n is ${request.choices}; this model's provider (Gemini) generates at most ${MAX_CANDIDATES} choices.`, "n");
  if (request.choices > 1) config.candidateCount = request.choices;
  if (request.maxOutputTokens !== null) config.maxOutputTokens = request.maxOutputTokens;
  const { temperature, topP, topK, seed, presencePenalty, frequencyPenalty } = request.sampling;
  if (temperature !== undefined) config.temperature = temperature;
  if (topP !== undefined) config.topP = topP;
  if (topK !== undefined) config.topK = topK;
  if (seed !== undefined) config.seed = seed;
  if (presencePenalty !== undefined) config.presencePenalty = presencePenalty;
  if (frequencyPenalty !== undefined) config.frequencyPenalty = frequencyPenalty;
  const thinking = thinkingConfig(request.reasoning, legacy);
  if (thinking !== null) config.thinkingConfig = thinking;
  return config;
}

function thinkingConfig(reasoning: ModelRequest["reasoning"], legacy: boolean): GeminiThinkingConfig | null {
  if (reasoning === null) return null;
  if (reasoning.budgetTokens !== undefined) return { includeThoughts: true, thinkingBudget: reasoning.budgetTokens };
  if (reasoning.effort === undefined) return { includeThoughts: true };
  return legacy
    ? { includeThoughts: true, thinkingBudget: EFFORT_BUDGETS[reasoning.effort] }
    : { includeThoughts: true, thinkingLevel: EFFORT_LEVELS[reasoning.effort] };
}
