import { BentooError, type CatalogModel, type ContentPart, type MediaSource, type Message, type ModelRequest, type ProviderConfig } from "@bentoo/core";
import { reasoningEffort } from "../reasoning.js";

/**
 * A request in Bentoo's terms as the body of a Chat Completions call, for a
 * client whose own API is another (Responses, Messages) reaching a provider of
 * type `openai`. Follows the Chat Completions reference
 * (https://platform.openai.com/docs/api-reference/chat/create):
 * - system instructions are `system` messages; a tool result is a `tool`
 *   message answering its call's id; an assistant's tool calls are its
 *   `tool_calls`; images are `image_url` parts (URLs, or base64 as `data:`
 *   URLs), PDFs and other files are `file` parts with `file_data`, audio is
 *   `input_audio`;
 * - the output limit goes in the provider's `output_limit_param`
 *   (`max_tokens`, which every compatible server knows, or
 *   `max_completion_tokens`, which OpenAI's reasoning models require);
 * - a reasoning budget (Anthropic's thinking) becomes the nearest
 *   `reasoning_effort`;
 * - streams always ask for usage (`stream_options.include_usage`): Bentoo meters
 *   from the provider's own count.
 * What Chat Completions cannot carry (a file given by URL, `top_k`, an image in a
 * tool result, parts of no equivalent) is a 400 naming it, never dropped
 * silently. Prompt-cache hints are dropped: OpenAI-compatible servers cache
 * prompts by themselves and most refuse unknown members.
 */
export function chatCompletionsBody(request: ModelRequest, model: CatalogModel, provider: ProviderConfig, upstreamModel: string): Record<string, unknown> {
  const unsupported = request.unsupported[0];
  if (unsupported !== undefined) throw refuse(unsupported, `${unsupported} is not supported by ${model.id}; remove it from the request.`);
  if (request.sampling.topK !== undefined)
    throw refuse("top_k", `top_k is not supported by ${model.id} (served through an OpenAI-compatible API); remove it from the request.`);
  const body: Record<string, unknown> = { model: upstreamModel, messages: request.messages.flatMap((message) => chatMessages(message, model)) };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.parameters ?? { type: "object", properties: {} },
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
  }
  const choice = request.toolChoice;
  if (choice !== null) body.tool_choice = choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
  if (request.parallelToolCalls !== undefined && request.tools.length > 0) body.parallel_tool_calls = request.parallelToolCalls;
  const output = request.output;
  if (output.type === "json_object") body.response_format = { type: "json_object" };
  else if (output.type === "json_schema")
    body.response_format = {
      type: "json_schema",
      json_schema: { name: output.name, schema: output.schema, ...(output.strict === undefined ? {} : { strict: output.strict }) },
    };
  if (request.maxOutputTokens !== null) body[provider.outputLimitParam] = request.maxOutputTokens;
  if (request.choices > 1) body.n = request.choices;
  const { temperature, topP, presencePenalty, frequencyPenalty, seed } = request.sampling;
  if (temperature !== undefined) body.temperature = temperature;
  if (topP !== undefined) body.top_p = topP;
  if (presencePenalty !== undefined) body.presence_penalty = presencePenalty;
  if (frequencyPenalty !== undefined) body.frequency_penalty = frequencyPenalty;
  if (seed !== undefined) body.seed = seed;
  if (request.stop.length > 0) body.stop = request.stop;
  const effort = reasoningEffort(request);
  if (effort !== null) body.reasoning_effort = effort;
  if (request.user !== undefined) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

function refuse(param: string, message: string): BentooError {
  return new BentooError("invalid_request", message, { param });
}

function dataUrl(source: MediaSource): string {
  return source.kind === "url" ? source.url : `data:${source.mediaType};base64,${source.data}`;
}

/** One content part of a user, system or assistant message, in Chat Completions' shape. */
function chatPart(part: ContentPart, model: CatalogModel): Record<string, unknown> | null {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image":
      return { type: "image_url", image_url: { url: dataUrl(part.source), ...(part.detail === undefined ? {} : { detail: part.detail }) } };
    case "file":
      if (part.source.kind === "url")
        throw refuse("messages", `${model.id} takes files as base64 data only (Chat Completions has no file URLs); send the file's bytes instead.`);
      return { type: "file", file: { file_data: dataUrl(part.source), ...(part.filename === undefined ? {} : { filename: part.filename }) } };
    case "audio":
      return { type: "input_audio", input_audio: { data: part.data, format: part.format } };
    case "reasoning":
      // A previous answer's reasoning: Chat Completions takes none back.
      return null;
    case "unsupported":
      throw refuse("messages", `${part.description} cannot be sent to ${model.id}; remove it from the request.`);
    default:
      return null;
  }
}

function textOf(parts: readonly Record<string, unknown>[]): string | Record<string, unknown>[] {
  const single = parts.length === 1 ? parts[0]! : null;
  return single !== null && single.type === "text" ? (single.text as string) : [...parts];
}

/** One message in Bentoo's terms as one or more Chat Completions messages (each tool result is a message of its own). */
function chatMessages(message: Message, model: CatalogModel): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const parts: Record<string, unknown>[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  let refusal: string | null = null;
  for (const part of message.parts) {
    if (part.type === "tool-call") {
      toolCalls.push({ id: part.id, type: "function", function: { name: part.name, arguments: part.arguments } });
    } else if (part.type === "tool-result") {
      out.push({ role: "tool", tool_call_id: part.toolCallId, content: toolResultContent(part.content, part.isError === true, model) });
    } else if (part.type === "refusal") {
      refusal = (refusal ?? "") + part.text;
    } else {
      const wire = chatPart(part, model);
      if (wire !== null) parts.push(wire);
    }
  }
  if (parts.length === 0 && toolCalls.length === 0 && refusal === null) return out;
  const wire: Record<string, unknown> = { role: message.role === "tool" ? "user" : message.role };
  if (message.role === "system" || message.role === "assistant") {
    // System and assistant messages take text parts only: their text, joined.
    const text = parts.map((part) => (part.type === "text" ? (part.text as string) : "")).join("");
    if (parts.some((part) => part.type !== "text"))
      throw refuse("messages", `${model.id} takes only text in ${message.role} messages (Chat Completions); move images and files to a user message.`);
    wire.content = text === "" && toolCalls.length > 0 ? null : text;
  } else {
    wire.content = textOf(parts);
  }
  if (message.name !== undefined) wire.name = message.name;
  if (refusal !== null) wire.refusal = refusal;
  if (toolCalls.length > 0) wire.tool_calls = toolCalls;
  // A tool result answers a call, so it comes before anything else the same message says.
  out.push(wire);
  return out;
}

/** A tool result's content: Chat Completions' `tool` messages hold text only. */
function toolResultContent(content: readonly ContentPart[], isError: boolean, model: CatalogModel): string {
  let text = "";
  for (const part of content) {
    if (part.type === "text") text += part.text;
    else
      throw refuse(
        "messages",
        `${model.id} takes only text in tool results (Chat Completions' tool messages); describe the ${part.type} in text or send it in a user message.`,
      );
  }
  return isError && !text.startsWith("Error") ? `Error: ${text}` : text;
}
