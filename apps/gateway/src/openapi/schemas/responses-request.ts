import { type Static, Type } from "@sinclair/typebox";
import { OrNull, StringEnum } from "./compact.js";

/**
 * The request of OpenAI's Responses API (`POST /v1/responses`) as Bentoo reads
 * it (dialects/responses/parse-request.ts, input-items.ts, tools.ts), following
 * https://platform.openai.com/docs/api-reference/responses/create. The schema
 * checks the types of the members it describes; the handler checks what
 * depends on an item's or a part's `type` or on another member (the members a
 * type requires, the parts a role may hold, a tool choice naming a tool, stored
 * responses) and refuses by name what Bentoo does not serve. Optional members
 * take null for "not given", as the handler does. Members the handler ignores
 * when they are of another type are described without one, so that the schema
 * refuses nothing the route takes.
 *
 * Every request runs this schema, so it is written to compile small
 * (compact.ts): one object shape for every input item and one for every content
 * part, whose descriptions and examples show each type's members, rather than
 * a shape per type chosen by `if`/`then` (docs/decisions.md). A member is typed
 * the same whichever item or part carries it.
 */

const ROLES = ["user", "assistant", "system", "developer"] as const;
const ITEM_TYPES = ["message", "function_call", "function_call_output", "reasoning", "item_reference"] as const;

const PART_TYPES = [
  "A content part. Its `type` says which members it has:",
  "",
  "- `input_text`: `text`.",
  "- `input_image`: `image_url`, an `https://` URL or a `data:image/…;base64,…` URL, and `detail` (`low`, `high` or `auto`: how closely the model looks, where the provider offers a choice; other values are ignored).",
  "- `input_file`: `file_data` (the file inline, as a `data:` URL, or base64 whose type the `filename`'s extension gives) or `file_url`, and `filename`: a PDF or a text file.",
  "- `output_text`: `text`, an assistant's earlier text (its `annotations` are ignored).",
  "- `refusal`: `refusal`, an assistant's earlier refusal.",
  "",
  "A `user` message (and a function's output) takes `input_text`, `input_image` and `input_file`; `system` and `developer`, `input_text`; `assistant`, `output_text`, `refusal` and `input_text`. Another type, a part without the member its type needs, and OpenAI file ids (`file_id`: Bentoo has no file storage) are a 400 naming the part.",
].join("\n");

const ContentPart = Type.Object(
  {
    type: Type.Optional(Type.String({ description: "`input_text`, `input_image`, `input_file`, `output_text` or `refusal`; required." })),
    text: Type.Optional(Type.String({ description: "With `input_text` and `output_text`." })),
    image_url: Type.Optional(
      Type.String({
        description: "With `input_image`: an `https://` URL or a `data:image/…;base64,…` URL.",
        "x-error-hint": "input_image takes image_url as a string: a URL or a data: URL.",
      }),
    ),
    detail: Type.Optional(Type.Unknown({ description: "With `input_image`: `low`, `high` or `auto`." })),
    file_data: Type.Optional(Type.Unknown({ description: "With `input_file`, a string: the file as a `data:` URL, or base64." })),
    file_url: Type.Optional(Type.Unknown({ description: "With `input_file`, a string: the file's URL (instead of `file_data`)." })),
    filename: Type.Optional(Type.Unknown({ description: "With `input_file`, a string: the file's name, e.g. `report.pdf`." })),
    refusal: Type.Optional(Type.String({ description: "With `refusal`." })),
  },
  {
    title: "ResponseInputContent",
    description: PART_TYPES,
    examples: [
      { type: "input_text", text: "What is in this image?" },
      { type: "input_image", image_url: "https://example.com/cat.png", detail: "low" },
      { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0xLjc…", filename: "invoice.pdf" },
    ],
  },
);

/** Parts, or text: a message's content, or a function's output. */
const partsOrText = (types: ("string" | "array" | "null")[], description: string, hint: string) =>
  Type.Unsafe<string | Static<typeof ContentPart>[] | null>({ type: types, items: ContentPart, description, "x-error-hint": hint });

const ITEM_SHAPES = [
  "An input item. Its `type` says which members it has:",
  "",
  "- `message` (the default when `type` is left out): `role` (`user`, `assistant`, `system` or `developer`; `system` and `developer` messages are instructions, as `instructions` is) and `content`, text or content parts (ResponseInputContent).",
  "- `function_call`: a function call the model made earlier (an output item sent back): `call_id`, `name` and `arguments` (JSON text).",
  "- `function_call_output`: a function's result, for the model to go on with: `call_id` (the call's) and `output`, text or `input_text`, `input_image` and `input_file` parts.",
  '- `reasoning`: the model\'s earlier reasoning, for providers that take it back: `content`, else `summary`, each a list of parts like `{"type":"summary_text","text":…}`.',
  "- `item_reference`: an output item of one of the account's stored responses, looked up by its `id` (`msg_…`, `fc_…`, `rs_…`).",
  "",
  "Output items sent back as they came (with `id`, `status`, …) are taken. An item without the members its type needs is a 400 naming the member.",
].join("\n");

const ReasoningTexts = Type.Optional(
  OrNull(Type.Array(Type.Object({ text: Type.String() })), { description: '`reasoning`: parts like {"type":"summary_text","text":…}.' }),
);

const InputItem = Type.Object(
  {
    type: Type.Optional(
      OrNull(StringEnum(ITEM_TYPES), {
        description: "`message` (the default), `function_call`, `function_call_output`, `reasoning` or `item_reference`.",
        "x-error-hint": "Items of built-in tools (web or file search, computer use, …) are not served: remove the item, or send its content as a message.",
      }),
    ),
    role: Type.Optional(StringEnum(ROLES, { description: "`message`: `user`, `assistant`, `system` or `developer`; required." })),
    content: Type.Optional(
      partsOrText(
        ["string", "array", "null"],
        "`message`: its text, or its content parts; required. `reasoning`: its reasoning texts.",
        'Send a string, or a list of content parts such as [{"type":"input_text","text":"Hello"}].',
      ),
    ),
    call_id: Type.Optional(
      Type.String({ minLength: 1, description: "`function_call`: the call's id, which its output names. `function_call_output`: the call it answers." }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, description: "`function_call`: the function called." })),
    arguments: Type.Optional(Type.String({ description: "`function_call`: the arguments as JSON text." })),
    output: Type.Optional(
      partsOrText(
        ["string", "array"],
        "`function_call_output`: what the function returned, as text or `input_text`, `input_image` and `input_file` parts.",
        "Send the function's result as a string, or as a list of input_text, input_image and input_file parts.",
      ),
    ),
    summary: ReasoningTexts,
    id: Type.Optional(OrNull(Type.String(), { description: "`item_reference`: the output item's id; required. On other items, ignored." })),
  },
  {
    title: "ResponseInputItem",
    description: ITEM_SHAPES,
    examples: [
      { role: "user", content: "What is the weather in Paris?" },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: "call_1", output: '{"temperature":18}' },
      { type: "item_reference", id: "msg_0123456789abcdef" },
    ],
  },
);

const Tool = Type.Object(
  {
    type: Type.String({ description: "`function`; built-in tools (web search, file search, code interpreter, …) are a 400 naming them." }),
    name: Type.Optional(Type.String({ minLength: 1, description: "The function's name, as the model calls it; required." })),
    description: Type.Optional(Type.Unknown({ description: "A string: what the function does, for the model." })),
    parameters: Type.Optional(OrNull(Type.Object({}), { description: "A JSON Schema object for the arguments." })),
    strict: Type.Optional(
      OrNull(Type.Boolean(), { description: "Whether the arguments must follow `parameters` exactly, where the provider can hold to it." }),
    ),
  },
  {
    title: "ResponseFunctionTool",
    description: "A function the model may call. OpenAI's built-in tools run on OpenAI's side and are refused.",
  },
);

const TOOL_CHOICE_MODES = ["auto", "none", "required"] as const;
const TOOL_CHOICE_HINT = 'It may also be {"type":"function","name":…} or {"type":"allowed_tools","mode":…,"tools":[…]}.';

const ToolChoiceObject = Type.Object({
  type: Type.String({ description: "`function` or `allowed_tools`." }),
  name: Type.Optional(Type.String({ description: "With `function`: one of the function tools in `tools`." })),
  mode: Type.Optional(StringEnum(["auto", "required"], { description: "With `allowed_tools`." })),
  tools: Type.Optional(
    Type.Array(Type.Object({ type: Type.Literal("function"), name: Type.String() }), {
      description: "With `allowed_tools`: the function tools the model may call.",
    }),
  ),
});

/** A mode (a string from a closed list) or an object naming a tool: `enum` applies to strings only, through `if`/`then`. */
const ToolChoice = Type.Unsafe<(typeof TOOL_CHOICE_MODES)[number] | Static<typeof ToolChoiceObject> | null>({
  ...Object.fromEntries(Object.entries(ToolChoiceObject)),
  type: ["string", "object", "null"],
  if: { type: "string" },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword, never awaited.
  then: { enum: [...TOOL_CHOICE_MODES], "x-error-hint": TOOL_CHOICE_HINT },
  description:
    '`auto` (the default), `none`, `required`, `{"type":"function","name":…}` (call that function), or `{"type":"allowed_tools","mode":"auto"|"required","tools":[{"type":"function","name":…}]}` (only those).',
  "x-error-hint": 'Send "auto", "none" or "required", or an object naming a function: {"type":"function","name":"get_weather"}.',
});

const TextFormat = Type.Object(
  {
    type: StringEnum(["text", "json_object", "json_schema"]),
    name: Type.Optional(Type.String({ description: "With `json_schema`: a name for the schema; required." })),
    schema: Type.Optional(Type.Object({}, { description: "With `json_schema`: the JSON Schema the answer must follow; required." })),
    strict: Type.Optional(OrNull(Type.Boolean(), { description: "With `json_schema`." })),
    description: Type.Optional(Type.Unknown({ description: "With `json_schema`, a string: what the answer is, for the model." })),
  },
  {
    title: "ResponseTextFormat",
    description: "`text` (the default), `json_object`, or `json_schema`: structured output, JSON following `schema`.",
  },
);

const TextOptions = Type.Object(
  {
    format: Type.Optional(OrNull(TextFormat)),
    verbosity: Type.Optional(OrNull(StringEnum(["low", "medium", "high"]))),
  },
  { description: "The answer's text: its format and verbosity." },
);

const Reasoning = Type.Object(
  {
    effort: Type.Optional(
      OrNull(StringEnum(["none", "minimal", "low", "medium", "high"]), { description: "How hard the model thinks; translated per provider." }),
    ),
    summary: Type.Optional(OrNull(StringEnum(["auto", "concise", "detailed"]))),
    generate_summary: Type.Optional(Type.Unknown({ description: "The older name of `summary`, read when `summary` is not given." })),
  },
  { description: "Reasoning options for models that reason." },
);

const Metadata = Type.Object(
  {},
  {
    additionalProperties: Type.String({ maxLength: 512 }),
    maxProperties: 16,
    description: "Up to 16 string pairs (keys up to 64 characters, values up to 512), echoed in the Response.",
  },
);

const optional = <T extends Parameters<typeof OrNull>[0]>(schema: T, description: string) => Type.Optional(OrNull(schema, { description }));
const ignored = (what: string) => Type.Optional(Type.Unknown({ description: `${what} Accepted; it tunes OpenAI's own service and changes nothing here.` }));

export const CreateResponseRequest = Type.Object(
  {
    model: Type.String({
      minLength: 1,
      maxLength: 256,
      description: "A chat model's id from `GET /v1/models`.",
      "x-error-hint": 'Pick a model id from GET /v1/models, e.g. "openai/gpt-6-luna".',
    }),
    input: Type.Optional(
      Type.Unsafe<string | Static<typeof InputItem>[] | null>({
        type: ["string", "array", "null"],
        items: InputItem,
        minItems: 1,
        description: "A string (one user message) or a non-empty list of input items. Required unless `previous_response_id` is given.",
        "x-error-hint": 'Send a string (one user message), or a list of input items such as [{"role":"user","content":"Hello"}].',
      }),
    ),
    instructions: optional(Type.String(), "A system message before the input; not carried over by `previous_response_id`."),
    tools: optional(Type.Array(Tool), "Function tools the model may call."),
    tool_choice: Type.Optional(ToolChoice),
    text: Type.Optional(OrNull(TextOptions)),
    reasoning: Type.Optional(OrNull(Reasoning)),
    max_output_tokens: optional(Type.Integer({ minimum: 1 }), "The most tokens the answer may hold; the credit hold is computed from it."),
    temperature: optional(Type.Number({ minimum: 0, maximum: 2 }), "How random the answer is (default 1)."),
    top_p: optional(Type.Number({ minimum: 0, maximum: 1 }), "Nucleus sampling: the share of probability mass to sample from (default 1)."),
    parallel_tool_calls: optional(Type.Boolean(), "Whether the model may call several functions at once (default true)."),
    stream: optional(Type.Boolean(), "Answer with the event stream instead of one JSON Response."),
    store: optional(
      Type.Boolean(),
      "Keep the response for `previous_response_id` and `GET /v1/responses/{id}` (default true; off when the operator turned storing off).",
    ),
    previous_response_id: optional(Type.String(), "A stored response (`resp_…`) to continue from: its input and output come before this request's input."),
    metadata: Type.Optional(OrNull(Metadata)),
    user: optional(Type.String(), "Your end user's id, passed to the provider."),
    safety_identifier: Type.Optional(Type.Unknown({ description: "A string: the newer name of `user`, read when `user` is not given." })),
    include: optional(Type.Array(Type.String()), "Accepted and ignored, except `message.output_text.logprobs`: log probabilities are a 400."),
    truncation: Type.Optional(
      OrNull(StringEnum(["disabled"]), { "x-error-hint": "Bentoo never drops input to make it fit; a prompt over the context length gets a 400." }),
    ),
    service_tier: optional(StringEnum(["auto", "default"]), "Other tiers are a 400."),
    top_logprobs: Type.Optional(
      Type.Unsafe<0 | null>({ type: ["integer", "null"], enum: [0, null], "x-error-hint": "Log probabilities are not supported; remove top_logprobs." }),
    ),
    background: Type.Optional(
      Type.Unknown({ description: "Only `false`: background responses are a 400 (send the request and wait for, or stream, the answer)." }),
    ),
    prompt_cache_key: ignored("A string."),
    prompt_cache_retention: ignored("A string."),
    stream_options: ignored("An object."),
  },
  {
    title: "CreateResponseRequest",
    description:
      "OpenAI's Responses API request. Other members pass unchecked, except `conversation`, `prompt` and `max_tool_calls`, which are a 400: Bentoo keeps no conversation objects or prompt templates and runs no built-in tools.",
  },
);
