import {
  invalid,
  isId,
  isJsonObject,
  type JsonObject,
  type ModelRequest,
  optionalBoolean,
  optionalInteger,
  type ReasoningEffort,
  requireBodyObject,
  type Sampling,
} from "@bentoo/core";
import { checkModel } from "../chat-completions/parse-request.js";
import type { ParsedRequest } from "../dialect.js";
import { checkInput, itemType, toMessages } from "./input-items.js";
import { checkTextFormat, checkToolChoice, checkTools } from "./tools.js";

/**
 * Checks a Responses API request and maps it to Bentoo's terms.
 * https://platform.openai.com/docs/api-reference/responses/create
 *
 * What Bentoo cannot do is refused with a 400 naming it rather than dropped:
 * background responses, conversations and prompt templates (OpenAI-side
 * objects), built-in tools, log probabilities, `truncation: "auto"`, a tool-call
 * budget, and service tiers other than the default. Members that only tune
 * OpenAI's own infrastructure (`include`, `prompt_cache_key`,
 * `prompt_cache_retention`, `stream_options`) are accepted and have no effect.
 */
export interface ResponsesRequest {
  parsed: ParsedRequest;
  instructions: string | null;
  /** The input as items (a string input is one user message). */
  items: JsonObject[];
  previousResponseId: string | null;
  /** Whether the client asked for the response to be stored (OpenAI's default: true). */
  store: boolean;
  /** The request members the Response object shows, in OpenAI's order. */
  echo: JsonObject;
}

const EFFORTS = ["none", "minimal", "low", "medium", "high"];
const SUMMARIES = ["auto", "concise", "detailed"];
/** OpenAI's bounds on metadata: 16 pairs, keys up to 64 characters, values up to 512. */
const METADATA_LIMITS = { pairs: 16, key: 64, value: 512 };

function optionalNumber(body: JsonObject, param: string, min: number, max: number): number | null {
  const value = body[param];
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    throw invalid(param, `${param} must be a number from ${min} to ${max}.`);
  return value;
}

function optionalText(body: JsonObject, param: string): string | null {
  const value = body[param];
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw invalid(param, `${param} must be a string.`);
  return value;
}

function checkMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  if (!isJsonObject(value)) throw invalid("metadata", 'metadata must be an object of string values, e.g. {"topic":"billing"}.');
  const entries = Object.entries(value);
  if (entries.length > METADATA_LIMITS.pairs) throw invalid("metadata", `metadata may hold at most ${METADATA_LIMITS.pairs} pairs.`);
  for (const [key, entry] of entries) {
    if (key.length > METADATA_LIMITS.key) throw invalid("metadata", `metadata keys must be at most ${METADATA_LIMITS.key} characters.`);
    if (typeof entry !== "string" || entry.length > METADATA_LIMITS.value)
      throw invalid(`metadata.${key.slice(0, 64)}`, `metadata values must be strings of at most ${METADATA_LIMITS.value} characters.`);
  }
  return value as Record<string, string>;
}

function checkReasoning(value: unknown): { effort: string | null; summary: string | null } {
  if (value === undefined || value === null) return { effort: null, summary: null };
  if (!isJsonObject(value)) throw invalid("reasoning", 'reasoning must be an object, e.g. {"effort":"low"}.');
  const effort = value.effort ?? null;
  if (effort !== null && (typeof effort !== "string" || !EFFORTS.includes(effort)))
    throw invalid("reasoning.effort", `reasoning.effort must be one of: ${EFFORTS.join(", ")}.`);
  const summary = value.summary ?? value.generate_summary ?? null;
  if (summary !== null && (typeof summary !== "string" || !SUMMARIES.includes(summary)))
    throw invalid("reasoning.summary", `reasoning.summary must be one of: ${SUMMARIES.join(", ")}.`);
  return { effort: effort as string | null, summary: summary as string | null };
}

/** Members naming what Bentoo does not do, refused by name. */
function refuseUnsupported(body: JsonObject): void {
  const refuse = (param: string, message: string) => {
    throw invalid(param, message);
  };
  if (body.background === true)
    refuse("background", "background responses are not supported; send the request without background and wait for (or stream) the answer.");
  if (body.conversation !== undefined && body.conversation !== null)
    refuse("conversation", "conversation objects are not supported; continue a conversation with previous_response_id, or send it whole in input.");
  if (body.prompt !== undefined && body.prompt !== null) refuse("prompt", "prompt templates are not supported; send instructions and input instead.");
  if (body.top_logprobs !== undefined && body.top_logprobs !== null && body.top_logprobs !== 0)
    refuse("top_logprobs", "log probabilities are not supported; remove top_logprobs.");
  if (body.max_tool_calls !== undefined && body.max_tool_calls !== null)
    refuse("max_tool_calls", "max_tool_calls applies to built-in tools, which Bentoo does not run; remove it.");
  if (body.truncation !== undefined && body.truncation !== null && body.truncation !== "disabled")
    refuse("truncation", 'truncation must be "disabled": Bentoo never drops input to make it fit; a prompt over the context length gets a 400.');
  const tier = body.service_tier;
  if (tier !== undefined && tier !== null && tier !== "auto" && tier !== "default") refuse("service_tier", 'service_tier must be "auto" or "default".');
  if (Array.isArray(body.include) && body.include.includes("message.output_text.logprobs"))
    refuse("include", "log probabilities are not supported; remove message.output_text.logprobs from include.");
  if (body.include !== undefined && body.include !== null && (!Array.isArray(body.include) || body.include.some((entry) => typeof entry !== "string")))
    refuse("include", "include must be a list of strings.");
}

function checkPreviousResponseId(body: JsonObject): string | null {
  const value = optionalText(body, "previous_response_id");
  if (value !== null && !isId("response", value)) throw invalid("previous_response_id", 'previous_response_id must be the id of a stored response ("resp_…").');
  return value;
}

function sampling(temperature: number | null, topP: number | null): Sampling {
  const result: Sampling = {};
  if (temperature !== null) result.temperature = temperature;
  if (topP !== null) result.topP = topP;
  return result;
}

export function parseResponsesRequest(raw: unknown): ResponsesRequest {
  const body = requireBodyObject(raw);
  const model = checkModel(body);
  refuseUnsupported(body);
  const previousResponseId = checkPreviousResponseId(body);
  if ((body.input === undefined || body.input === null) && previousResponseId === null)
    throw invalid("input", 'input is required: a string, or a list of items like [{"role":"user","content":"Hello"}].');
  const items = body.input === undefined || body.input === null ? [] : checkInput(body.input);
  const instructions = optionalText(body, "instructions");
  const stream = optionalBoolean(body, "stream") ?? false;
  const store = optionalBoolean(body, "store") ?? true;
  const parallelToolCalls = optionalBoolean(body, "parallel_tool_calls");
  const maxOutputTokens = optionalInteger(body, "max_output_tokens", { min: 1 }) ?? null;
  const temperature = optionalNumber(body, "temperature", 0, 2);
  const topP = optionalNumber(body, "top_p", 0, 1);
  const user = optionalText(body, "user") ?? optionalText(body, "safety_identifier");
  const metadata = checkMetadata(body.metadata);
  const reasoning = checkReasoning(body.reasoning);
  const tools = checkTools(body.tools);
  const toolChoice = checkToolChoice(body.tool_choice, tools.definitions);
  const text = checkTextFormat(body.text);
  const effort = reasoning.effort === null || reasoning.effort === "none" ? null : (reasoning.effort as ReasoningEffort);
  const request: ModelRequest = {
    messages: items.some((item) => itemType(item) === "item_reference") ? [] : toMessages(instructions, items),
    tools: toolChoice.definitions,
    toolChoice: toolChoice.choice,
    output: text.format,
    maxOutputTokens,
    choices: 1,
    sampling: sampling(temperature, topP),
    stop: [],
    reasoning: effort === null ? null : { effort },
    stream,
    unsupported: [],
  };
  if (parallelToolCalls !== undefined) request.parallelToolCalls = parallelToolCalls;
  if (user !== null) request.user = user;
  if (metadata !== null) request.metadata = metadata;
  const echo: JsonObject = {
    instructions,
    max_output_tokens: maxOutputTokens,
    model,
    parallel_tool_calls: parallelToolCalls ?? true,
    previous_response_id: previousResponseId,
    reasoning: { effort: reasoning.effort, summary: reasoning.summary },
    store,
    temperature: temperature ?? 1,
    text: text.echo,
    tool_choice: toolChoice.echo,
    tools: tools.echo,
    top_p: topP ?? 1,
    truncation: "disabled",
    user,
    metadata: metadata ?? {},
  };
  return {
    parsed: { model, stream, streamUsage: false, request, body, rewritten: true },
    instructions,
    items,
    previousResponseId,
    store,
    echo,
  };
}
