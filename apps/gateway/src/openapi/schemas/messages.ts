import { Type } from "@sinclair/typebox";
import {
  AnthropicErrorEnvelope,
  API_KEY_SECURITY,
  errorResponses,
  jsonOrStreamResponse,
  jsonResponse,
  Nullable,
  RATE_LIMIT_HEADERS,
  REQUEST_ID_HEADER,
} from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { CountTokensRequest, MessagesRequest } from "./messages-request.js";
import { MODEL_ROUTE_ERRORS, SimulateHeader } from "./model-route.js";

/**
 * The route schemas of Anthropic's Messages API: `POST /v1/messages` and
 * `POST /v1/messages/count_tokens`, with the Message they answer
 * (dialects/anthropic-messages/write-answer.ts, or Anthropic's own through the
 * passthrough) and errors in Anthropic's shape.
 */

const TextBlock = Type.Object({ type: Type.Literal("text"), text: Type.String() }, { title: "AnthropicTextBlock" });

const ThinkingBlock = Type.Object(
  {
    type: Type.Literal("thinking"),
    thinking: Type.String(),
    signature: Type.String({ description: "Anthropic's signature, to send the block back with; empty from other providers." }),
  },
  { title: "AnthropicThinkingBlock" },
);

const ToolUseBlock = Type.Object(
  {
    type: Type.Literal("tool_use"),
    id: Type.String({ description: "The call's id: name it in the `tool_result`." }),
    name: Type.String(),
    input: Type.Object({}, { description: "The tool's input; arguments that were not a JSON object are under `arguments`, as text." }),
  },
  { title: "AnthropicToolUseBlock" },
);

const Usage = Type.Object(
  {
    input_tokens: Type.Integer({ description: "Input tokens other than those read from or written to the prompt cache." }),
    cache_creation_input_tokens: Nullable(Type.Integer(), { description: "Input tokens written to the prompt cache." }),
    cache_read_input_tokens: Nullable(Type.Integer(), { description: "Input tokens read from the prompt cache." }),
    output_tokens: Type.Integer({ description: "Output tokens, thinking included." }),
    output_tokens_details: Type.Optional(
      Type.Object({ thinking_tokens: Type.Integer() }, { description: "Present when the provider reported reasoning tokens (part of `output_tokens`)." }),
    ),
  },
  { title: "AnthropicUsage", description: "Anthropic's usage: no cost member (a request's cost is in its audit record)." },
);

export const Message = Type.Object(
  {
    id: Type.String({ description: "`msg_…`" }),
    type: Type.Literal("message"),
    role: Type.Literal("assistant"),
    model: Type.String({ description: "The catalog id." }),
    content: Type.Array(Type.Union([ThinkingBlock, TextBlock, ToolUseBlock]), {
      description:
        "Thinking, text and tool calls, in order. Through the passthrough, every block Anthropic sends (server tools' blocks, citations, redacted thinking).",
    }),
    stop_reason: Nullable(Type.String(), {
      description: "`end_turn`, `max_tokens`, `stop_sequence`, `tool_use`, `refusal` (and Anthropic's others through the passthrough).",
    }),
    stop_sequence: Nullable(Type.String(), { description: "The stop sequence that ended the answer, if one did." }),
    usage: Usage,
  },
  { title: "AnthropicMessage", description: "Anthropic's Message." },
);

const TokenCount = Type.Object({ input_tokens: Type.Integer({ description: "The prompt's tokens." }) }, { title: "AnthropicTokenCount" });

const MESSAGE_EVENTS = [
  "Anthropic's event stream, each event with its `event:` line and the same `type` in its JSON `data`:",
  "`message_start` (`message`: the Message without content; on translated providers its usage is zero),",
  "per content block `content_block_start` (`index`, `content_block`), `content_block_delta` (`delta`: `text_delta`, `thinking_delta` or `input_json_delta`; `signature_delta` and `citations_delta` from Anthropic) and `content_block_stop`,",
  "`message_delta` (`delta.stop_reason`, `delta.stop_sequence`, and `usage` with every count), then `message_stop`. Anthropic's `ping` events pass through.",
  "A stream that breaks after it started ends with an `error` event in Anthropic's error shape and no `message_stop`.",
].join(" ");

const ANTHROPIC_HEADERS = {
  "anthropic-version": Type.Optional(Type.String({ description: "Accepted, not required; passed to an `anthropic` provider." })),
  "anthropic-beta": Type.Optional(Type.String({ description: "Beta features the body uses; passed to an `anthropic` provider." })),
};

/** Every answer on these paths carries the request id also as `request-id`, which Anthropic's SDKs read. */
const ANSWER_HEADERS = { ...REQUEST_ID_HEADER, "request-id": Type.String({ description: "The request id again, where Anthropic's SDKs read it." }) };

const SECURITY_NOTE = "Authenticate with `x-api-key: <key>` or `Authorization: Bearer <key>`. Claude Code's `?beta=true` is accepted and ignored.";

export const CREATE_MESSAGE_SCHEMA: RouteSchema = {
  summary: "Create a message",
  description: [
    "Anthropic's Messages API for every chat model in the catalog: `model`, `max_tokens`, `messages` (text, image, document, tool_use, tool_result and thinking blocks), `system`, `tools`, `tool_choice`, `thinking`, `stop_sequences`, `temperature`, `top_p`, `top_k`, `metadata`.",
    "The answer is a Message, or with `stream: true` Anthropic's event stream.",
    "",
    "A model served by an `anthropic` provider gets the body as it was sent (with `anthropic-version` and `anthropic-beta`), so everything Anthropic supports works; other providers get a translation, and what only Anthropic can do is a 400 naming it.",
    `${SECURITY_NOTE} Errors are in Anthropic's shape, with Bentoo's code in \`error.details.error_code\`.`,
  ].join("\n"),
  tags: ["Messages"],
  operationId: "createMessage",
  security: API_KEY_SECURITY,
  headers: Type.Object({ ...ANTHROPIC_HEADERS, "Bentoo-Simulate": Type.Optional(SimulateHeader) }),
  body: MessagesRequest,
  response: {
    200: jsonOrStreamResponse(Message, MESSAGE_EVENTS, "The Message, or its event stream when `stream` is true.", { ...RATE_LIMIT_HEADERS, ...ANSWER_HEADERS }),
    ...errorResponses(MODEL_ROUTE_ERRORS, { envelope: AnthropicErrorEnvelope, headers: ANSWER_HEADERS }),
  },
};

export const COUNT_MESSAGE_TOKENS_SCHEMA: RouteSchema = {
  summary: "Count a message's tokens",
  description: [
    "The prompt's input tokens, as `POST /v1/messages` would count them. A live key whose model's first route is an `anthropic` provider gets Anthropic's own count; otherwise (and when that provider cannot answer) Bentoo's tokenizer counts, an estimate for models that tokenize differently.",
    "Takes one request from the requests-per-minute limit, is never charged, and is audited with cost 0.",
    `${SECURITY_NOTE} Errors are in Anthropic's shape.`,
  ].join("\n"),
  tags: ["Messages"],
  operationId: "countMessageTokens",
  security: API_KEY_SECURITY,
  headers: Type.Object(ANTHROPIC_HEADERS),
  body: CountTokensRequest,
  response: {
    200: jsonResponse(TokenCount, "The count.", { ...RATE_LIMIT_HEADERS, ...ANSWER_HEADERS }),
    ...errorResponses(
      ["model_not_found", "model_kind_mismatch", "model_not_allowed", "rate_limit_exceeded", "upstream_rejected_request", "upstream_bad_response"],
      {
        envelope: AnthropicErrorEnvelope,
        headers: ANSWER_HEADERS,
      },
    ),
  },
};
