import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { OrNull, StringEnum } from "./compact.js";

/**
 * The request of Anthropic's Messages API (`POST /v1/messages`, and
 * `/v1/messages/count_tokens` without `max_tokens` and `stream`) as Bentoo
 * reads it (dialects/anthropic-messages/parse-request.ts, to-model-request.ts,
 * content.ts), following https://docs.anthropic.com/en/api/messages. The
 * schema checks the types of the members a translation reads; the handler
 * checks what depends on a block's or a tool's `type` (the members it needs,
 * the role that may hold it). Block types and members it does not know pass,
 * as the body goes to an `anthropic` provider as it is. Optional members take
 * null for "not given"; members the handler ignores when they are of another
 * type are described without one, so that the schema refuses nothing the
 * route takes.
 *
 * Every request runs this schema, so it is written to compile small
 * (compact.ts): one object shape for every content block, whose description
 * and examples show each type's members, rather than a shape per type chosen
 * by `if`/`then` (docs/decisions.md). A member is typed the same whichever
 * block carries it, as Anthropic types it; the two that Anthropic's own blocks
 * use otherwise (`source`, `content`) also take those types.
 */

const CACHE_CONTROL_HINT = 'cache_control must be {"type":"ephemeral"} (optionally with a "ttl" such as "5m" or "1h").';

const CacheControl = Type.Optional(
  OrNull(
    Type.Object({
      type: Type.Literal("ephemeral", { "x-error-hint": CACHE_CONTROL_HINT }),
      ttl: Type.Optional(Type.Unknown({ description: "A string such as `5m` or `1h`." })),
    }),
    { description: "A prompt-cache breakpoint, for providers that cache.", "x-error-hint": CACHE_CONTROL_HINT },
  ),
);

const SOURCE_HINT =
  'A source is {"type":"base64","media_type":"image/png","data":"…"} or {"type":"url","url":"https://…"}; a document\'s may also be {"type":"text","media_type":"text/plain","data":"…"}.';

const SourceObject = Type.Object({
  type: StringEnum(["base64", "url", "text", "content", "file"], { "x-error-hint": SOURCE_HINT }),
  media_type: Type.Optional(Type.String({ description: "`base64`: e.g. `image/png`, `application/pdf`; required." })),
  data: Type.Optional(Type.String({ description: "`base64`: the data, base64; `text`: the text itself; required." })),
  url: Type.Optional(Type.String({ description: "`url`: the image's or document's URL; required." })),
});

/** An image's or a document's `source`; a string is an Anthropic `search_result` block's source, passed on. */
const Source = Type.Optional(
  Type.Unsafe<Static<typeof SourceObject> | string>({
    ...Object.fromEntries(Object.entries(SourceObject)),
    type: ["object", "string"],
    description:
      "`image`, `document`: `base64` (`media_type`, `data`), `url` (`url`), or for a document `text` (`data`); `file` (Anthropic's Files API) and a document's `content` pass to Anthropic only.",
    "x-error-hint": SOURCE_HINT,
  }),
);

/** A block inside a `tool_result`'s (or one of Anthropic's own results') `content`. */
const ResultBlock = Type.Object(
  {
    type: Type.String({ description: "`text`, `image` or `document`; Anthropic's own types pass to Anthropic only." }),
    text: Type.Optional(Type.String({ description: "`text`: required." })),
    source: Source,
    title: Type.Optional(Type.Unknown({ description: "`document`, a string: the document's title." })),
    cache_control: CacheControl,
  },
  {
    title: "AnthropicToolResultContentBlock",
    description: "A text, image or document block in a `tool_result`, with the members it has in a message's content.",
  },
);

const BLOCK_TYPES = [
  "A content block. Its `type` says which members it has:",
  "",
  "- `text`: `text`.",
  "- `image`: `source`, inline (`base64`) or by `url`.",
  "- `document`: `source`, a PDF (`base64`), plain text (`text`) or a `url`, and `title` (its file name elsewhere).",
  "- `tool_use` (assistant messages): a tool call the model made earlier: `id` (`toolu_…`), `name` and `input` (a JSON object).",
  "- `tool_result` (user messages): a tool's result: `tool_use_id` (the `id` of the `tool_use` it answers), `content` (text, or `text`, `image` and `document` blocks) and `is_error` (`true` when the tool failed).",
  "- `thinking`: the model's earlier reasoning, sent back as it came: `thinking` and `signature`.",
  "- `redacted_thinking`: earlier reasoning the provider encrypted, sent back as it came: `data`.",
  "",
  "`text`, `image`, `document` and `tool_result` blocks may carry `cache_control`. A block without the members its type needs is a 400 naming it. Other blocks (server tools' calls and results, search results) pass to Anthropic and are a 400 naming them on other providers.",
].join("\n");

const ContentBlock = Type.Object(
  {
    type: Type.String({ description: "The block's type." }),
    text: Type.Optional(Type.String({ description: "`text`: required." })),
    source: Source,
    title: Type.Optional(Type.Unknown({ description: "`document`, a string: the document's title." })),
    id: Type.Optional(Type.String({ description: "`tool_use`: the call's id (`toolu_…`), which its `tool_result` names; required." })),
    name: Type.Optional(Type.String({ description: "`tool_use`: the tool called; required." })),
    input: Type.Optional(Type.Object({}, { description: "`tool_use`: the tool's input, a JSON object; required." })),
    tool_use_id: Type.Optional(Type.String({ description: "`tool_result`: the `id` of the `tool_use` block this answers; required." })),
    content: Type.Optional(
      Type.Unsafe<string | Static<typeof ResultBlock>[] | object | null>({
        type: ["string", "array", "object", "null"],
        items: ResultBlock,
        description:
          "`tool_result`: the tool's result, text or a list of `text`, `image` and `document` blocks. (Anthropic's own result blocks may hold an object.)",
      }),
    ),
    is_error: Type.Optional(Type.Unknown({ description: "`tool_result`: `true` when the tool failed." })),
    thinking: Type.Optional(Type.String({ description: "`thinking`: the reasoning; required." })),
    signature: Type.Optional(Type.String({ description: "`thinking`: the signature the answer carried; required." })),
    data: Type.Optional(Type.String({ description: "`redacted_thinking`: the data the answer carried; required." })),
    cache_control: CacheControl,
  },
  {
    title: "AnthropicContentBlockParam",
    description: BLOCK_TYPES,
    examples: [
      { type: "text", text: "What is in this image?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo…" } },
      { type: "document", source: { type: "url", url: "https://example.com/report.pdf" }, cache_control: { type: "ephemeral" } },
      { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
      { type: "tool_result", tool_use_id: "toolu_01", content: '{"temperature":18}' },
    ],
  },
);

const MessageParam = Type.Object(
  {
    role: StringEnum(["user", "assistant", "system"], { description: "`user` or `assistant`; a `system` message (text only) is taken as a system prompt." }),
    content: Type.Unsafe<string | Static<typeof ContentBlock>[]>({
      type: ["string", "array"],
      items: ContentBlock,
      description: "The message's text, or its content blocks (AnthropicContentBlockParam).",
      "x-error-hint": 'Send a string, or a list of content blocks such as [{"type":"text","text":"Hello"}].',
    }),
  },
  { title: "AnthropicMessageParam", description: "One turn of the conversation." },
);

const TextBlock = Type.Object(
  { type: Type.Literal("text"), text: Type.String(), cache_control: CacheControl },
  { title: "AnthropicTextBlockParam", description: "Text." },
);

const Tool = Type.Object(
  {
    type: Type.Optional(
      Type.Unknown({
        description:
          "`custom` or absent for a tool of yours; Anthropic's own tools (web search, bash, the text editor, …) pass to Anthropic and are a 400 on other providers.",
      }),
    ),
    name: Type.Optional(Type.String({ description: "The name the model calls the tool by; required." })),
    input_schema: Type.Optional(Type.Object({}, { description: 'A tool of yours: a JSON Schema object for its input, e.g. `{"type":"object"}`; required.' })),
    description: Type.Optional(Type.Unknown({ description: "A string: what the tool does, for the model." })),
    strict: Type.Optional(Type.Unknown({ description: "`true`: the input must follow `input_schema` exactly, where the provider can hold to it." })),
    cache_control: CacheControl,
  },
  { title: "AnthropicTool", description: "A tool the model may call: one of yours (`name`, `input_schema`), or one of Anthropic's own." },
);

const TOOL_CHOICE_HINT = 'tool_choice is {"type":"auto"}, {"type":"any"}, {"type":"tool","name":"…"} or {"type":"none"}.';

const ToolChoice = OrNull(
  Type.Object({
    type: StringEnum(["auto", "any", "tool", "none"], { "x-error-hint": TOOL_CHOICE_HINT }),
    name: Type.Optional(Type.String({ description: "With `tool`: the tool to call; required." })),
    disable_parallel_tool_use: Type.Optional(Type.Unknown({ description: "`true`: at most one tool call per answer." })),
  }),
  {
    description: "`auto` (the model decides), `any` (some tool), `tool` (the one named) or `none`.",
    "x-error-hint": TOOL_CHOICE_HINT,
  },
);

const THINKING_HINT = 'thinking is {"type":"enabled","budget_tokens":2048}, {"type":"adaptive"} or {"type":"disabled"}.';

const Thinking = OrNull(
  Type.Object({
    type: StringEnum(["enabled", "adaptive", "between_tools", "disabled"], { "x-error-hint": THINKING_HINT }),
    budget_tokens: Type.Optional(
      Type.Integer({ description: "With `enabled`: tokens the model may think with, at least 1,024 and less than `max_tokens`; required." }),
    ),
  }),
  {
    description: "Extended thinking: `enabled` with a budget, `adaptive` (the provider's own budget) or `disabled`.",
    "x-error-hint": THINKING_HINT,
  },
);

const optional = <T extends Parameters<typeof OrNull>[0]>(schema: T, description: string) => Type.Optional(OrNull(schema, { description }));

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
    Type.Unsafe<string | Static<typeof TextBlock>[] | null>({
      type: ["string", "array", "null"],
      items: TextBlock,
      description: "The system prompt: a string, or text blocks (each may carry `cache_control`).",
      "x-error-hint": 'Send a string, or a list of text blocks such as [{"type":"text","text":"Be brief."}].',
    }),
  ),
  tools: Type.Optional(OrNull(Type.Array(Tool))),
  tool_choice: Type.Optional(ToolChoice),
  thinking: Type.Optional(Thinking),
  stop_sequences: optional(Type.Array(Type.String({ minLength: 1 })), "Texts that end the answer where they appear."),
  temperature: optional(Type.Number(), "How random the answer is: 0 to 1 on Anthropic's models."),
  top_p: optional(Type.Number(), "Nucleus sampling: the share of probability mass to sample from."),
  top_k: optional(Type.Integer(), "Sample only from the k likeliest tokens, where the provider offers it."),
  metadata: Type.Optional(OrNull(Type.Object({ user_id: optional(Type.String(), "Your end user's opaque id.") }))),
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
    stream: optional(Type.Boolean(), "Answer with Anthropic's event stream instead of one Message."),
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
