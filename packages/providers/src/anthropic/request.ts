import { BentooError, type CatalogModel, type ModelRequest, type ReasoningEffort, type ToolDefinition } from "@bentoo/core";
import { reasoningEffort } from "../reasoning.js";
import { anthropicConversation } from "./request-messages.js";
import type { MessagesRequest, Tool, ToolChoice } from "./wire.js";

/**
 * A request in Bentoo's terms as the body of Anthropic's `POST /v1/messages`,
 * following the Messages API reference (https://docs.anthropic.com/en/api/messages):
 * - `max_tokens` is required: the request's limit, else the catalog model's
 *   `max_output_tokens`, else DEFAULT_MAX_TOKENS (the gateway's default output
 *   reservation, so the credit hold covers what is asked for);
 * - tools are `{name, description, input_schema, strict}`; tool choice auto /
 *   required / a named tool / none is `auto` / `any` / `tool` / `none`, and
 *   `parallel_tool_calls: false` is `disable_parallel_tool_use`
 *   (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use);
 * - a JSON-schema output format is `output_config.format` (structured outputs,
 *   https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs);
 *   Anthropic has no schema-less JSON mode, so `json_object` is refused;
 * - a reasoning effort is an extended-thinking budget, a share of `max_tokens`
 *   (thinkingBudget; https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking),
 *   except on the models of ADAPTIVE_THINKING_MODELS, which take adaptive thinking
 *   with `output_config.effort` instead (`minimal` is `low`; a budget is the effort
 *   that spends about as much) and refuse budgets, or will
 *   (https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking);
 * - `stop` is `stop_sequences`, `user` is `metadata.user_id`; temperature, top_p
 *   and top_k go as they are (Anthropic judges their range).
 * Anthropic has no `n`, penalties or seed: a request that sets them gets a 400
 * naming the parameter, as does any parameter the client's API marked unsupported.
 * Parameter names in errors are Chat Completions' (the client API that reaches
 * this translation today).
 */
export const DEFAULT_MAX_TOKENS = 4096;
/**
 * Claude 4.6 and later (Opus, Sonnet, Haiku 4.6+, 5 and on; Fable and Mythos,
 * which began at 5): adaptive thinking with an effort, where fixed budgets are
 * deprecated (4.6) or gone (4.7 and later). Older models, and names this does
 * not know, take budgets.
 */
export const ADAPTIVE_THINKING_MODELS = /^claude-(?:opus|sonnet|haiku|fable|mythos)-(?:4-(?:[6-9]|[1-9]\d)|[5-9]|[1-9]\d)(?!\d)/;
/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;
/** The largest budget an effort asks for: past it Anthropic advises batches, and thinking rarely uses it all. */
export const MAX_EFFORT_BUDGET = 32_000;
/** The share of `max_tokens` each effort gives to thinking; the rest is left for the answer. */
export const EFFORT_SHARE: Readonly<Record<ReasoningEffort, number>> = { minimal: 0, low: 0.2, medium: 0.5, high: 0.8 };

function refuse(param: string, message: string): BentooError {
  return new BentooError("invalid_request", message, { param });
}

export function anthropicRequest(request: ModelRequest, model: CatalogModel, upstreamModel: string): MessagesRequest {
  const unsupported = request.unsupported[0];
  if (unsupported !== undefined) throw refuse(unsupported, `${unsupported} is not supported by ${model.id} (an Anthropic model); remove it from the request.`);
  if (request.choices > 1)
    throw refuse("n", `n must be 1 for ${model.id}: Anthropic's Messages API returns one answer per request. Send ${request.choices} requests instead.`);
  checkSampling(request, model);
  const maxTokens = request.maxOutputTokens ?? model.maxOutputTokens ?? DEFAULT_MAX_TOKENS;
  const { system, turns } = anthropicConversation(request.messages);
  const body: MessagesRequest = { model: upstreamModel, max_tokens: maxTokens, messages: turns };
  if (system !== undefined) body.system = system;
  if (request.tools.length > 0) body.tools = request.tools.map(tool);
  const choice = toolChoice(request);
  if (choice !== undefined) body.tool_choice = choice;
  if (ADAPTIVE_THINKING_MODELS.test(upstreamModel)) {
    const effort = reasoningEffort(request);
    if (effort !== null) {
      body.thinking = { type: "adaptive" };
      body.output_config = { effort: effort === "minimal" ? "low" : effort };
    }
  } else {
    const budget = thinkingBudget(request, maxTokens);
    if (budget !== null) body.thinking = { type: "enabled", budget_tokens: budget };
  }
  if (request.output.type === "json_object")
    throw refuse(
      "response_format",
      `${model.id} (an Anthropic model) has no JSON mode without a schema: send response_format {"type":"json_schema", ...} instead.`,
    );
  if (request.output.type === "json_schema") body.output_config = { ...body.output_config, format: { type: "json_schema", schema: request.output.schema } };
  if (request.stop.length > 0) body.stop_sequences = request.stop;
  const { temperature, topP, topK } = request.sampling;
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (topK !== undefined) body.top_k = topK;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return body;
}

/** Penalties and seed have no Anthropic equivalent; a zero penalty is the default and changes nothing. */
function checkSampling(request: ModelRequest, model: CatalogModel): void {
  const { presencePenalty, frequencyPenalty, seed } = request.sampling;
  const named: Array<[string, boolean]> = [
    ["presence_penalty", presencePenalty !== undefined && presencePenalty !== 0],
    ["frequency_penalty", frequencyPenalty !== undefined && frequencyPenalty !== 0],
    ["seed", seed !== undefined],
  ];
  for (const [name, set] of named) if (set) throw refuse(name, `${name} is not supported by ${model.id} (an Anthropic model); remove it from the request.`);
}

function tool(definition: ToolDefinition): Tool {
  const wire: Tool = { name: definition.name, input_schema: definition.parameters ?? { type: "object", properties: {} } };
  if (definition.description !== undefined) wire.description = definition.description;
  if (definition.strict !== undefined) wire.strict = definition.strict;
  if (definition.cache !== undefined)
    wire.cache_control = definition.cache.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: definition.cache.ttl };
  return wire;
}

function toolChoice(request: ModelRequest): ToolChoice | undefined {
  const choice = request.toolChoice;
  const single = request.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (request.tools.length === 0) {
    if (choice?.type === "required" || choice?.type === "tool") throw refuse("tool_choice", "tool_choice asks for a tool call, but the request has no tools.");
    return undefined;
  }
  if (choice === null) return request.parallelToolCalls === false ? { type: "auto", ...single } : undefined;
  switch (choice.type) {
    case "auto":
      return { type: "auto", ...single };
    case "required":
      return { type: "any", ...single };
    case "tool":
      return { type: "tool", name: choice.name, ...single };
    case "none":
      return { type: "none" };
  }
}

/**
 * The extended-thinking budget: a budget the client gave, as given; else the
 * effort's share of `max_tokens` (EFFORT_SHARE), at least MIN_THINKING_BUDGET
 * and at most MAX_EFFORT_BUDGET. Thinking counts toward `max_tokens` and its
 * budget must stay below it, so a `max_tokens` too small to hold the minimum
 * budget is a 400 naming `reasoning_effort`.
 */
export function thinkingBudget(request: ModelRequest, maxTokens: number): number | null {
  const reasoning = request.reasoning;
  if (reasoning === null) return null;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  if (reasoning.effort === undefined) return null;
  const budget = Math.min(MAX_EFFORT_BUDGET, Math.max(MIN_THINKING_BUDGET, Math.floor(maxTokens * EFFORT_SHARE[reasoning.effort])));
  if (budget >= maxTokens) {
    throw refuse(
      "reasoning_effort",
      `reasoning_effort needs an output limit above ${MIN_THINKING_BUDGET} tokens on an Anthropic model (its extended thinking takes at least ${MIN_THINKING_BUDGET} of them); raise max_completion_tokens or leave reasoning_effort out.`,
    );
  }
  return budget;
}
