import { type TProperties, type TSchema, Type } from "@sinclair/typebox";
import { Nullable } from "../shared.js";
import { byType, StringEnum, whenType } from "./by-type.js";

/**
 * The request of Anthropic's Messages API (`POST /v1/messages`, and
 * `/v1/messages/count_tokens` without `max_tokens` and `stream`) as Bentoo
 * reads it (dialects/anthropic-messages/parse-request.ts, to-model-request.ts,
 * content.ts), following https://docs.anthropic.com/en/api/messages. The
 * schema checks what a translation reads; block types and members it does not
 * know pass, as the body goes to an `anthropic` provider as it is. Optional
 * members take null for "not given"; members the handler ignores when they are
 * of another type are described without one, so that the schema refuses
 * nothing the route takes.
 */

const CACHE_CONTROL_HINT = 'cache_control must be {"type":"ephemeral"} (optionally with a "ttl" such as "5m" or "1h").';

const CacheControl = Type.Optional(
  Nullable(
    Type.Object(
      {
        type: Type.Literal("ephemeral", { "x-error-hint": CACHE_CONTROL_HINT }),
        ttl: Type.Optional(Type.Unknown({ description: "A string such as `5m` or `1h`." })),
      },
      { description: "A prompt-cache breakpoint, for providers that cache.", "x-error-hint": CACHE_CONTROL_HINT },
    ),
  ),
);

const TextBlockParam = Type.Object(
  { type: Type.Literal("text"), text: Type.String(), cache_control: CacheControl },
  { title: "AnthropicTextBlockParam", description: "Text." },
);

const IMAGE_SOURCE_HINT = 'An image source is {"type":"base64","media_type":"image/png","data":"…"} or {"type":"url","url":"https://…"}.';
const DOCUMENT_SOURCE_HINT =
  'A document source is {"type":"base64","media_type":"application/pdf","data":"…"}, {"type":"text","media_type":"text/plain","data":"…"} or {"type":"url","url":"https://…"}.';

/** A media block's `source`, by its `type`; `passing` are the types only Anthropic serves (a file id, a content list), which pass. */
function source(shapes: Record<string, TProperties>, passing: readonly string[], hint: string, description: string) {
  return byType(
    { type: StringEnum([...Object.keys(shapes), ...passing], { "x-error-hint": hint }) },
    Object.entries(shapes).map(([tag, properties]) => whenType(tag, Type.Object({ type: Type.Literal(tag), ...properties }, { "x-error-hint": hint }))),
    { description, "x-error-hint": hint },
  );
}

const ImageBlockParam = Type.Object(
  {
    type: Type.Literal("image"),
    source: source(
      { base64: { media_type: Type.String({ description: "e.g. `image/png`" }), data: Type.String({ description: "base64" }) }, url: { url: Type.String() } },
      ["file"],
      IMAGE_SOURCE_HINT,
      "`base64` (`media_type`, `data`) or `url`; a `file` (Anthropic's Files API) passes to Anthropic only.",
    ),
    cache_control: CacheControl,
  },
  { title: "AnthropicImageBlockParam", description: "An image, inline or by URL." },
);

const DocumentBlockParam = Type.Object(
  {
    type: Type.Literal("document"),
    source: source(
      {
        base64: { media_type: Type.String({ description: "`application/pdf`" }), data: Type.String({ description: "base64" }) },
        text: { data: Type.String({ description: "The text itself." }) },
        url: { url: Type.String() },
      },
      ["content", "file"],
      DOCUMENT_SOURCE_HINT,
      "`base64` (a PDF), `text` (plain text) or `url`; `content` and `file` sources pass to Anthropic only.",
    ),
    title: Type.Optional(Type.Unknown({ description: "A string: the document's title (its file name elsewhere)." })),
    cache_control: CacheControl,
  },
  { title: "AnthropicDocumentBlockParam", description: "A document: a PDF or plain text, inline or by URL." },
);

const ToolUseBlockParam = Type.Object(
  {
    type: Type.Literal("tool_use"),
    id: Type.String({ description: "The call's id (`toolu_…`), which its `tool_result` names." }),
    name: Type.String(),
    input: Type.Object({}, { description: "The tool's input: a JSON object." }),
  },
  { title: "AnthropicToolUseBlockParam", description: "A tool call the model made earlier (assistant messages only)." },
);

const ResultContentBlock = byType(
  { type: Type.String() },
  [whenType("text", TextBlockParam), whenType("image", ImageBlockParam), whenType("document", DocumentBlockParam)],
  {
    description: "A text, image or document block.",
  },
);

const ToolResultBlockParam = Type.Object(
  {
    type: Type.Literal("tool_result"),
    tool_use_id: Type.String({ description: "The `id` of the `tool_use` block this answers." }),
    content: Type.Optional(
      Type.Union([Type.Array(ResultContentBlock, { "x-error-hint": "A string is also taken, as the result's text." }), Type.String(), Type.Null()], {
        description: "The tool's result: text, or text, image and document blocks.",
      }),
    ),
    is_error: Type.Optional(Type.Unknown({ description: "`true` when the tool failed." })),
    cache_control: CacheControl,
  },
  { title: "AnthropicToolResultBlockParam", description: "A tool's result (user messages only)." },
);

const ThinkingBlockParam = Type.Object(
  { type: Type.Literal("thinking"), thinking: Type.String(), signature: Type.String({ description: "The signature the answer carried." }) },
  { title: "AnthropicThinkingBlockParam", description: "The model's earlier reasoning, sent back as it came." },
);

const RedactedThinkingBlockParam = Type.Object(
  { type: Type.Literal("redacted_thinking"), data: Type.String() },
  { title: "AnthropicRedactedThinkingBlockParam", description: "Earlier reasoning the provider encrypted, sent back as it came." },
);

const ContentBlockParam = byType(
  { type: Type.String({ description: "The block's type." }) },
  [
    whenType("text", TextBlockParam),
    whenType("image", ImageBlockParam),
    whenType("document", DocumentBlockParam),
    whenType("tool_use", ToolUseBlockParam),
    whenType("tool_result", ToolResultBlockParam),
    whenType("thinking", ThinkingBlockParam),
    whenType("redacted_thinking", RedactedThinkingBlockParam),
  ],
  {
    description:
      "A content block, by `type`: `text`, `image`, `document`, `tool_use`, `tool_result`, `thinking`, `redacted_thinking` (the Anthropic…BlockParam schemas). Other blocks (server tools' calls and results, search results) pass to Anthropic and are a 400 naming them on other providers.",
  },
);

const MessageParam = Type.Object(
  {
    role: StringEnum(["user", "assistant", "system"], { description: "`user` or `assistant`; a `system` message (text only) is taken as a system prompt." }),
    content: Type.Union([Type.Array(ContentBlockParam, { "x-error-hint": "A string is also taken, as the message's text." }), Type.String()], {
      description: "The message's text, or its content blocks.",
    }),
  },
  { title: "AnthropicMessageParam", description: "One turn of the conversation." },
);

const CustomTool = Type.Object(
  {
    type: Type.Optional(Nullable(Type.Literal("custom"))),
    name: Type.String({ minLength: 1, description: "The name the model calls the tool by." }),
    input_schema: Type.Object({}, { description: 'A JSON Schema object for the tool\'s input, e.g. `{"type":"object"}`.' }),
    description: Type.Optional(Type.Unknown({ description: "A string: what the tool does, for the model." })),
    strict: Type.Optional(Type.Unknown({ description: "`true`: the input must follow `input_schema` exactly, where the provider can hold to it." })),
    cache_control: CacheControl,
  },
  { title: "AnthropicTool", description: "A tool of yours." },
);

const ToolParam = byType(
  {
    type: Type.Optional(
      Type.Unknown({
        description:
          "`custom` or absent for a tool of yours; Anthropic's own tools (web search, bash, the text editor, …) pass to Anthropic and are a 400 on other providers.",
      }),
    ),
  },
  [whenType("custom", CustomTool, true)],
  { description: "A tool the model may call (AnthropicTool)." },
);

const TOOL_CHOICE_HINT = 'tool_choice is {"type":"auto"}, {"type":"any"}, {"type":"tool","name":"…"} or {"type":"none"}.';

const ToolChoice = Nullable(
  byType(
    {
      type: StringEnum(["auto", "any", "tool", "none"], { "x-error-hint": TOOL_CHOICE_HINT }),
      disable_parallel_tool_use: Type.Optional(Type.Unknown({ description: "`true`: at most one tool call per answer." })),
    },
    [whenType("tool", Type.Object({ type: Type.Literal("tool"), name: Type.String({ minLength: 1, description: "The tool to call." }) }))],
    { "x-error-hint": TOOL_CHOICE_HINT },
  ),
  { description: "`auto` (the model decides), `any` (some tool), `tool` (the one named) or `none`." },
);

const THINKING_HINT = 'thinking is {"type":"enabled","budget_tokens":2048}, {"type":"adaptive"} or {"type":"disabled"}.';

const Thinking = Nullable(
  byType(
    { type: StringEnum(["enabled", "adaptive", "between_tools", "disabled"], { "x-error-hint": THINKING_HINT }) },
    [
      whenType(
        "enabled",
        Type.Object({
          type: Type.Literal("enabled"),
          budget_tokens: Type.Integer({ minimum: 1024, description: "Tokens the model may think with: at least 1,024, and less than `max_tokens`." }),
        }),
      ),
    ],
    { "x-error-hint": THINKING_HINT },
  ),
  { description: "Extended thinking: `enabled` with a budget, `adaptive` (the provider's own budget) or `disabled`." },
);

/** The members a Messages request and a token count share. */
const SHARED = {
  model: Type.String({
    minLength: 1,
    maxLength: 256,
    description: "A chat model's id from `GET /v1/models`.",
    "x-error-hint": 'Pick a model id from GET /v1/models, e.g. "anthropic/claude-sonnet-5.5".',
  }),
  messages: Type.Array(MessageParam, { minItems: 1, description: "The conversation, oldest first." }),
  system: Type.Optional(
    Type.Union([Type.Array(TextBlockParam, { "x-error-hint": "A string is also taken." }), Type.String(), Type.Null()], {
      description: "The system prompt: a string, or text blocks (each may carry `cache_control`).",
    }),
  ),
  tools: Type.Optional(Nullable(Type.Array(ToolParam))),
  tool_choice: Type.Optional(ToolChoice),
  thinking: Type.Optional(Thinking),
  stop_sequences: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1 })), { description: "Texts that end the answer where they appear." })),
  temperature: Type.Optional(Nullable(Type.Number(), { description: "How random the answer is: 0 to 1 on Anthropic's models." })),
  top_p: Type.Optional(Nullable(Type.Number(), { description: "Nucleus sampling: the share of probability mass to sample from." })),
  top_k: Type.Optional(Nullable(Type.Integer(), { description: "Sample only from the k likeliest tokens, where the provider offers it." })),
  metadata: Type.Optional(Nullable(Type.Object({ user_id: Type.Optional(Nullable(Type.String({ description: "Your end user's opaque id." }))) }))),
  output_config: Type.Optional(
    Type.Unknown({ description: 'An object: its `format`, `{"type":"json_schema","schema":{…}}`, makes the answer JSON following the schema.' }),
  ),
} satisfies Record<string, TSchema>;

const { model, ...rest } = SHARED;

export const MessagesRequest = Type.Object(
  {
    model,
    max_tokens: Type.Integer({
      minimum: 1,
      description: "The most tokens the answer may hold (thinking included); the credit hold is computed from it.",
      "x-error-hint": 'It is the most tokens the answer may take, e.g. "max_tokens": 1024.',
    }),
    ...rest,
    stream: Type.Optional(Nullable(Type.Boolean({ description: "Answer with Anthropic's event stream instead of one Message." }))),
  },
  {
    title: "AnthropicMessagesRequest",
    description:
      "Anthropic's Messages request. Other members (`container`, `mcp_servers`, `service_tier`, …) go to an `anthropic` provider as they are; on other providers, what only Anthropic serves is a 400 naming it.",
  },
);

export const CountTokensRequest = Type.Object(SHARED, {
  title: "AnthropicCountTokensRequest",
  description: "A Messages request without `max_tokens` and `stream` (they are ignored when sent).",
});
