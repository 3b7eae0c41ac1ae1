import { type Static, Type } from "@sinclair/typebox";
import { API_KEY_SECURITY, errorResponses, jsonOrStreamResponse, Nullable, RATE_LIMIT_HEADERS, REQUEST_ID_HEADER } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { OrNull, StringEnum } from "./compact.js";
import { MODEL_ROUTE_ERRORS, SimulateHeader } from "./model-route.js";

/**
 * `POST /v1/chat/completions`: OpenAI's Chat Completions request, its JSON
 * answer and its stream (dialects/chat-completions/). The body is open: members
 * not described here pass through to a provider that speaks the same API.
 * Types are checked here; what depends on another member or on the model (an
 * assistant message's content, `stream_options` without `stream`, the context)
 * is the dialect's and the pipeline's to check.
 *
 * Every request runs this schema, so it is written to compile small (compact.ts):
 * one object shape for every message and one for every content part, whose
 * descriptions and examples show each role's and each part type's members,
 * rather than a shape per role chosen by `anyOf` or `if`/`then`, which compiled
 * to a validator past the size V8 optimises (docs/decisions.md).
 * https://platform.openai.com/docs/api-reference/chat/create
 */

const openObject = (description: string) => Type.Object({}, { additionalProperties: true, description });

const PART_TYPES = [
  "Each part's `type` says which member carries it:",
  "",
  '- `text`: `text` (`{"type":"text","text":"Describe this image."}`)',
  "- `image_url` (user messages): `image_url` with `url` (`https:` or a `data:image/…;base64,…` URL) and `detail` (`auto`, `low`, `high`)",
  "- `input_audio` (user messages): `input_audio` with base64 `data` and `format` (`wav`, `mp3`)",
  "- `file` (user messages): `file` with `file_data` (a `data:` URL, e.g. a PDF) and `filename`, or OpenAI's `file_id`",
  "- `refusal` (assistant messages): `refusal`",
  "",
  "Another type passes to OpenAI-compatible providers as sent; a provider that cannot take a part refuses the request with a 400 naming it.",
].join("\n");

const ContentPart = Type.Object(
  {
    type: Type.String({ description: "`text`, `image_url`, `input_audio`, `file` or `refusal`." }),
    text: Type.Optional(Type.String({ description: "With `type: text`." })),
    image_url: Type.Optional(
      Type.Object(
        {
          url: Type.String({ description: "An `https:` URL, or a `data:image/…;base64,…` URL carrying the image." }),
          detail: Type.Optional(Type.String({ description: "`auto` (the default), `low` or `high`." })),
        },
        { description: "With `type: image_url`." },
      ),
    ),
    input_audio: Type.Optional(
      Type.Object(
        { data: Type.String({ description: "The audio, base64-encoded." }), format: Type.String({ description: "`wav` or `mp3`." }) },
        { description: "With `type: input_audio`, for models that take audio." },
      ),
    ),
    file: Type.Optional(
      Type.Object(
        {
          file_data: Type.Optional(Type.String({ description: "The file as a `data:<media type>;base64,…` URL." })),
          file_id: Type.Optional(Type.String({ description: "An id from OpenAI's Files API: only an OpenAI provider can read it." })),
          filename: Type.Optional(Type.String()),
        },
        { description: "With `type: file`." },
      ),
    ),
    refusal: Type.Optional(Type.String({ description: "With `type: refusal`." })),
    cache_control: Type.Optional(
      Type.Object(
        { type: Type.Literal("ephemeral"), ttl: Type.Optional(Type.String({ description: "`5m` (the default) or `1h`." })) },
        { description: "A prompt-cache breakpoint after this part, for providers with explicit prompt caching (Anthropic's)." },
      ),
    ),
  },
  {
    title: "ChatContentPart",
    description: PART_TYPES,
    examples: [
      { type: "text", text: "What is in this image?" },
      { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
      { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0xLjc…", filename: "invoice.pdf" } },
    ],
  },
);

/** A message's content: a string, or a list of parts (null in an assistant message that only made tool calls). */
const Content = Type.Unsafe<string | Static<typeof ContentPart>[] | null>({
  type: ["string", "array", "null"],
  items: ContentPart,
  description: "A string, or a list of content parts (ChatContentPart). Null or absent only in an assistant message with `tool_calls`.",
  "x-error-hint": 'Send a string, or a list of content parts such as [{"type":"text","text":"Hello"}].',
});

const ToolCall = Type.Object(
  {
    id: Type.String({ description: "The call's id, which the `tool` message with its result names in `tool_call_id`." }),
    type: Type.String({ description: "`function` (or `custom`, for a custom tool, with a `custom` member instead of `function`)." }),
    function: Type.Optional(
      Type.Object({
        name: Type.String(),
        arguments: Type.String({ description: "The arguments as JSON text, as the model wrote them: parse and validate them before use." }),
      }),
    ),
  },
  { title: "ChatToolCall", description: "A tool call the model made." },
);

const ROLES = ["system", "developer", "user", "assistant", "tool", "function"] as const;

const ROLE_SHAPES = [
  "One message of the conversation. Its `role` says which members it has:",
  "",
  "- `system`, `developer`: `content` (text), and an optional `name`. Instructions the model follows whatever the user says; `developer` is OpenAI's newer name for `system`, and both reach every provider.",
  "- `user`: `content` (text, or parts: text, images, audio, files), and an optional `name`.",
  "- `assistant`: an earlier answer sent back: `content` (null or absent when it made tool calls), `tool_calls`, `refusal`, `name`.",
  "- `tool`: a tool's result: `tool_call_id` (the `id` of the call it answers) and `content`.",
  "- `function`: deprecated (OpenAI's functions API): `name` and `content`; use `tool`.",
  "",
  "Every role but `assistant` needs `content`; an assistant message needs `content` or `tool_calls`.",
].join("\n");

const Message = Type.Object(
  {
    role: StringEnum(ROLES),
    content: Type.Optional(Content),
    name: Type.Optional(Type.String({ description: "A name for the participant (or, in a `function` message, the function)." })),
    tool_calls: Type.Optional(
      OrNull(Type.Array(ToolCall), { description: "`assistant`: the tool calls it made, each answered by a `tool` message after it." }),
    ),
    tool_call_id: Type.Optional(Type.String({ description: "`tool`: the `id` of the tool call this answers." })),
    refusal: Type.Optional(OrNull(Type.String(), { description: "`assistant`: its refusal." })),
  },
  {
    title: "ChatMessage",
    description: ROLE_SHAPES,
    examples: [
      { role: "developer", content: "Answer in one sentence." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temperature":18}' },
    ],
  },
);

// Tools.

const FunctionDefinition = Type.Object(
  {
    name: Type.String({ description: "Letters, digits, `_` and `-`, at most 64 characters." }),
    description: Type.Optional(Type.String({ description: "What the function does and when to call it: the model reads this." })),
    parameters: Type.Optional(openObject("The arguments as a JSON Schema object; leave out for a function without arguments.")),
    strict: Type.Optional(OrNull(Type.Boolean(), { description: "Whether the arguments must follow `parameters` exactly, for providers that enforce it." })),
  },
  { title: "ChatFunctionDefinition" },
);

const Tool = Type.Object(
  {
    type: Type.String({ description: "`function`; OpenAI's `custom` tools pass through to OpenAI-compatible providers only." }),
    function: Type.Optional(FunctionDefinition),
  },
  { title: "ChatTool", description: "A tool the model may call: with `type: function`, its `function`." },
);

const TOOL_CHOICE_HINT = 'Send "none", "auto" or "required", or an object naming a function: {"type":"function","function":{"name":"get_weather"}}.';

/** A mode (a string from a closed list) or an object naming a tool: `enum` applies to strings only, through `if`/`then`. */
const ToolChoice = Type.Unsafe<"none" | "auto" | "required" | { type: string; function?: { name: string } } | null>({
  type: ["string", "object", "null"],
  properties: {
    type: { type: "string", description: "`function` (or OpenAI's `allowed_tools` and `custom`)." },
    function: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
  },
  required: ["type"],
  if: { type: "string" },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword, never awaited.
  then: { enum: ["none", "auto", "required"], "x-error-hint": TOOL_CHOICE_HINT },
  description:
    "`auto` (the default with tools): the model decides; `none`: no tool call; `required`: at least one; or an object naming the one function to call.",
  "x-error-hint": TOOL_CHOICE_HINT,
});

const ResponseFormat = Type.Object(
  {
    type: StringEnum(["text", "json_object", "json_schema"], {
      description: "`text` (the default); `json_object`: a JSON object; `json_schema`: JSON that follows `json_schema.schema`.",
    }),
    json_schema: Type.Optional(
      Type.Object(
        {
          name: Type.String(),
          description: Type.Optional(Type.String()),
          schema: Type.Optional(openObject("The JSON Schema the answer follows.")),
          strict: Type.Optional(OrNull(Type.Boolean())),
        },
        { description: "With `type: json_schema`." },
      ),
    ),
  },
  { title: "ChatResponseFormat", description: "The answer's format." },
);

const optional = <T extends Parameters<typeof OrNull>[0]>(schema: T, description: string) => Type.Optional(OrNull(schema, { description }));
const passedThrough = "Passed to OpenAI-compatible providers; a provider that cannot take it refuses the request with a 400 naming it.";

export const ChatCompletionRequest = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "A chat model's id from GET /v1/models, e.g. `openai/gpt-6-luna`: any provider's, whatever API it speaks.",
      "x-error-hint": 'Pick one from GET /v1/models, e.g. "openai/gpt-6-luna".',
    }),
    messages: Type.Array(Message, {
      minItems: 1,
      description: "The conversation so far, oldest first.",
      "x-error-hint": 'Send a non-empty list like [{"role":"user","content":"Hello"}].',
    }),
    stream: optional(Type.Boolean(), "Answer as server-sent events (`text/event-stream`) as the answer is made."),
    stream_options: optional(
      Type.Object({
        include_usage: optional(Type.Boolean(), "End the stream with a chunk carrying `usage` (with its cost) and no choices."),
      }),
      "Only with `stream: true`.",
    ),
    max_completion_tokens: optional(
      Type.Integer({ minimum: 1 }),
      "The most tokens an answer may have, reasoning included. With `max_tokens` too, this one counts and `max_tokens` is not forwarded.",
    ),
    max_tokens: optional(Type.Integer({ minimum: 1 }), "Deprecated alias of `max_completion_tokens`."),
    n: optional(Type.Integer({ minimum: 1, maximum: 128 }), "How many answers (choices) to make; each is charged."),
    temperature: optional(Type.Number(), "Sampling temperature; OpenAI takes 0 to 2."),
    top_p: optional(Type.Number(), "Nucleus sampling: the probability mass to sample from, 0 to 1."),
    presence_penalty: optional(Type.Number(), "-2 to 2: positive values push the model towards new topics."),
    frequency_penalty: optional(Type.Number(), "-2 to 2: positive values make repeating a token less likely."),
    seed: optional(Type.Integer(), "Ask for deterministic sampling, for providers that offer it."),
    stop: Type.Optional(
      Type.Unsafe<string | string[] | null>({
        type: ["string", "array", "null"],
        items: { type: "string" },
        description: "Text that ends the answer: one, or a list.",
        "x-error-hint": "Send a string, or a list of strings.",
      }),
    ),
    logprobs: optional(Type.Boolean(), `Return each output token's log probability. ${passedThrough}`),
    top_logprobs: optional(Type.Integer({ minimum: 0, maximum: 20 }), "With `logprobs`: how many likeliest alternatives to list per token."),
    logit_bias: optional(Type.Object({}, { additionalProperties: Type.Number() }), `Token id → bias from -100 to 100. ${passedThrough}`),
    tools: optional(Type.Array(Tool), "Functions the model may call."),
    tool_choice: Type.Optional(ToolChoice),
    parallel_tool_calls: optional(Type.Boolean(), "Whether the model may make several tool calls at once."),
    response_format: Type.Optional(OrNull(ResponseFormat)),
    reasoning_effort: optional(
      Type.String(),
      "How hard a reasoning model thinks: `minimal`, `low`, `medium` or `high`, carried to every provider that reasons. Another value goes as is to OpenAI-compatible providers only.",
    ),
    user: optional(Type.String(), "Your id for the end user, passed to providers that take one (abuse monitoring)."),
    metadata: optional(Type.Object({}, { additionalProperties: Type.String() }), "Your string key-value pairs, passed to providers that take them."),
    modalities: optional(Type.Array(Type.String()), `Output modalities, e.g. \`["text","audio"]\`. ${passedThrough}`),
    audio: optional(openObject("Audio output options (`voice`, `format`)."), passedThrough),
    prediction: optional(openObject("Predicted output, to speed up an answer that repeats it."), passedThrough),
    web_search_options: optional(openObject("Web search options, for search models."), passedThrough),
  },
  {
    title: "ChatCompletionRequest",
    description:
      "OpenAI's Chat Completions request. Members not listed here (`store`, `service_tier`, `verbosity`, …) are forwarded to providers that speak Chat Completions and ignored by the others.",
  },
);

// The answer.

const TokenLogprob = Type.Object({
  token: Type.String(),
  logprob: Type.Number(),
  bytes: Nullable(Type.Array(Type.Integer()), { description: "The token's UTF-8 bytes." }),
});

const Logprobs = Type.Object(
  {
    content: Nullable(Type.Array(Type.Object({ ...TokenLogprob.properties, top_logprobs: Type.Array(TokenLogprob) }))),
    refusal: Type.Optional(Nullable(Type.Array(TokenLogprob))),
  },
  { title: "ChatLogprobs", description: "The answer's tokens with their log probabilities, when asked for with `logprobs`." },
);

const AnswerMessage = Type.Object(
  {
    role: Type.Literal("assistant"),
    content: Nullable(Type.String(), { description: "The answer's text; null when the model only made tool calls." }),
    refusal: Type.Optional(Nullable(Type.String(), { description: "The model's refusal, when it refused." })),
    reasoning_content: Type.Optional(Type.String({ description: "The model's reasoning, from providers that return it." })),
    tool_calls: Type.Optional(Type.Array(ToolCall)),
  },
  { title: "ChatCompletionMessage" },
);

const ChatUsage = Type.Object(
  {
    prompt_tokens: Type.Integer(),
    completion_tokens: Type.Integer({ description: "Output tokens, reasoning included." }),
    total_tokens: Type.Integer(),
    prompt_tokens_details: Type.Optional(
      Type.Object({ cached_tokens: Type.Optional(Type.Integer({ description: "Prompt tokens read from the provider's cache, charged at its cache price." })) }),
    ),
    completion_tokens_details: Type.Optional(
      Type.Object({ reasoning_tokens: Type.Optional(Type.Integer({ description: "Output tokens the model spent reasoning." })) }),
    ),
    cost: Type.Number({ description: "What this request was charged, in USD (0 on test keys)." }),
    cost_micros: Type.Integer({ description: "The same charge in micro-dollars: exactly the ledger's charge and the audit record's `cost_micros`." }),
    estimated: Type.Optional(
      Type.Literal(true, { description: "Present when the provider reported no usage and Bentoo's tokenizer counted what was delivered." }),
    ),
  },
  {
    title: "ChatUsage",
    description: "Tokens used, and what they cost at the catalog's prices. The provider's other usage details are kept.",
  },
);

export const ChatCompletion = Type.Object(
  {
    id: Type.String(),
    object: Type.Literal("chat.completion"),
    created: Type.Integer({ description: "Unix seconds." }),
    model: Type.String({ description: "The catalog id asked for." }),
    choices: Type.Array(
      Type.Object({
        index: Type.Integer(),
        message: AnswerMessage,
        logprobs: Type.Optional(Nullable(Logprobs)),
        finish_reason: Type.String({
          description:
            "`stop` (done, or a stop sequence met), `length` (the output limit), `tool_calls`, `content_filter`, or `error` (the provider broke off).",
        }),
      }),
    ),
    usage: ChatUsage,
  },
  {
    title: "ChatCompletion",
    description: "The answer. An OpenAI-compatible provider's own further members (`system_fingerprint`, `service_tier`, …) are kept.",
  },
);

const STREAM_DESCRIPTION = [
  "With `stream: true`: server-sent events, each a `data: <chat.completion.chunk JSON>` line, then `data: [DONE]`.",
  "",
  '- A chunk is `{id, object: "chat.completion.chunk", created, model, choices: [{index, delta, logprobs, finish_reason}]}`.',
  '- Each choice opens with a delta carrying `role: "assistant"`; then deltas carry `content` (text), `reasoning_content`, or `tool_calls` (`index`, and `id`, `type` and `function.name` in a call\'s first delta, then `function.arguments` in pieces to concatenate).',
  "- A choice ends with an empty delta and its `finish_reason`.",
  "- With `stream_options.include_usage`, a last chunk has `choices: []` and `usage` (ChatUsage, with the cost).",
  '- A stream that breaks after it began (a provider failing midway) ends with `data: {"error": {…}}`, the error envelope (e.g. `upstream_error`, `upstream_timeout`), instead of `data: [DONE]`; it is charged for what was delivered.',
].join("\n");

export const CHAT_COMPLETIONS_SCHEMA: RouteSchema = {
  summary: "Create a chat completion",
  description: [
    "OpenAI's Chat Completions API for every chat model in the catalog, whatever its provider speaks: an OpenAI-compatible provider gets the request as sent (the `model` set to its own name), the others (Anthropic, Gemini) a translation, and the answer comes back in Chat Completions' shape either way. A parameter the provider cannot take is refused with a 400 naming it, never dropped.",
    "",
    "Before the provider is called, the request is counted: its prompt with the tokenizer, its output as `max_completion_tokens` (or `max_tokens`, else the model's limit) times `n`. That reserves tokens against the rate limits and holds the most it can cost against the credit balance and the key's spend cap; once answered, what was used is charged and the rest released. A retryable provider failure moves on to the model's next provider before anything reached the client.",
    "",
    "Test keys (`btoo_sk_test_…`) are answered by the sandbox: deterministic answers, streams and tool calls included, no charge; `Bentoo-Simulate` makes one fail on purpose. Refusals for rate limits carry `Retry-After` and `retry-after-ms`.",
  ].join("\n"),
  tags: ["Chat"],
  operationId: "createChatCompletion",
  security: API_KEY_SECURITY,
  headers: Type.Object({ "Bentoo-Simulate": Type.Optional(SimulateHeader) }),
  body: ChatCompletionRequest,
  response: {
    200: jsonOrStreamResponse(ChatCompletion, STREAM_DESCRIPTION, "The answer: JSON, or with `stream: true` an event stream.", {
      ...RATE_LIMIT_HEADERS,
      ...REQUEST_ID_HEADER,
    }),
    ...errorResponses(MODEL_ROUTE_ERRORS, { headers: REQUEST_ID_HEADER }),
  },
};
