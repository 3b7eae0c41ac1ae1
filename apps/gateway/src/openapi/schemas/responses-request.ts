import { type TSchema, Type } from "@sinclair/typebox";
import { Nullable } from "../shared.js";
import { byType, StringEnum, whenType } from "./by-type.js";

/**
 * The request of OpenAI's Responses API (`POST /v1/responses`) as Bentoo reads
 * it (dialects/responses/parse-request.ts, input-items.ts, tools.ts), following
 * https://platform.openai.com/docs/api-reference/responses/create. The schema
 * checks the structure; the handler checks what needs more than one member or
 * the account (a tool choice naming a tool, the role a part may have, stored
 * responses) and refuses by name what Bentoo does not serve. Optional members
 * take null for "not given", as the handler does. Members the handler ignores
 * when they are of another type are described without one, so that the schema
 * refuses nothing the route takes.
 */

const ROLES = ["user", "assistant", "system", "developer"] as const;
const ITEM_TYPES = ["message", "function_call", "function_call_output", "reasoning", "item_reference"] as const;
const PART_TYPES = ["input_text", "input_image", "input_file", "output_text", "refusal"] as const;

/**
 * A list of `items` or a string (or null, when `nullable`): the list is tried
 * first, so that an error inside it names its place (`input[2].role`).
 */
function listOrString(items: TSchema, stringMeans: string, options: { description: string; nullable?: boolean; minItems?: number }) {
  const list = Type.Array(items, {
    "x-error-hint": `A string is also taken, ${stringMeans}.`,
    ...(options.minItems === undefined ? {} : { minItems: options.minItems }),
  });
  const members: TSchema[] = options.nullable === true ? [list, Type.String(), Type.Null()] : [list, Type.String()];
  return Type.Union(members, { description: options.description });
}

const InputText = Type.Object({ type: Type.Literal("input_text"), text: Type.String() }, { title: "ResponseInputText", description: "Text." });

const InputImage = Type.Object(
  {
    type: Type.Literal("input_image"),
    image_url: Type.String({
      description: "An `https://` URL or a `data:image/…;base64,…` URL.",
      "x-error-hint": "input_image takes image_url, a URL or a data: URL; OpenAI file ids (file_id) are not served, as Bentoo has no file storage.",
    }),
    detail: Type.Optional(
      Type.Unknown({ description: "`low`, `high` or `auto`: how closely the model looks, where the provider offers a choice; other values are ignored." }),
    ),
  },
  { title: "ResponseInputImage", description: "An image, by URL or inline." },
);

const InputFile = Type.Object(
  {
    type: Type.Literal("input_file"),
    file_data: Type.Optional(
      Type.Unknown({ description: "A string: the file inline, as a `data:` URL, or base64 whose type the `filename`'s extension gives." }),
    ),
    file_url: Type.Optional(Type.Unknown({ description: "A string: the file's URL (instead of `file_data`)." })),
    filename: Type.Optional(Type.Unknown({ description: "A string: the file's name, e.g. `report.pdf`." })),
  },
  {
    title: "ResponseInputFile",
    description: "A file (PDF, text), inline or by URL: `file_data` or `file_url` is required. OpenAI file ids (`file_id`) are a 400.",
  },
);

const OutputTextPart = Type.Object(
  { type: Type.Literal("output_text"), text: Type.String() },
  { description: "An assistant's earlier text (its `annotations` are ignored)." },
);

const RefusalPart = Type.Object({ type: Type.Literal("refusal"), refusal: Type.String() }, { description: "An assistant's earlier refusal." });

const ContentPart = byType(
  { type: StringEnum(PART_TYPES) },
  [
    whenType("input_text", InputText),
    whenType("input_image", InputImage),
    whenType("input_file", InputFile),
    whenType("output_text", OutputTextPart),
    whenType("refusal", RefusalPart),
  ],
  {
    description:
      "A content part, by `type`: a `user` message takes `input_text`, `input_image` and `input_file`; `system` and `developer`, `input_text`; `assistant`, `output_text`, `refusal` and `input_text`.",
  },
);

const InputMessage = Type.Object(
  {
    type: Type.Optional(Nullable(Type.Literal("message"))),
    role: StringEnum(ROLES, { description: "`system` and `developer` messages are instructions, as `instructions` is." }),
    content: listOrString(ContentPart, "as the message's text", { description: "The message's text, or its content parts." }),
  },
  { title: "ResponseInputMessage", description: "A message; `type` may be left out." },
);

const InputFunctionCall = Type.Object(
  {
    type: Type.Literal("function_call"),
    call_id: Type.String({ minLength: 1, description: "The call's id, which its `function_call_output` names." }),
    name: Type.String({ minLength: 1, description: "The function called." }),
    arguments: Type.String({ description: "The arguments as JSON text." }),
  },
  { title: "ResponseInputFunctionCall", description: "A function call the model made earlier (an output item sent back)." },
);

const InputFunctionCallOutput = Type.Object(
  {
    type: Type.Literal("function_call_output"),
    call_id: Type.String({ minLength: 1, description: "The `call_id` of the function call this answers." }),
    output: listOrString(ContentPart, "as the result's text", {
      description: "What the function returned: text, or `input_text`, `input_image` and `input_file` parts.",
    }),
  },
  { title: "ResponseInputFunctionCallOutput", description: "A function's result, for the model to go on with." },
);

const ReasoningTexts = Type.Optional(
  Nullable(Type.Array(Type.Object({ text: Type.String() }), { description: 'Parts like {"type":"summary_text","text":…}.' })),
);

const InputReasoning = Type.Object(
  {
    type: Type.Literal("reasoning"),
    summary: ReasoningTexts,
    content: ReasoningTexts,
  },
  { title: "ResponseInputReasoning", description: "The model's earlier reasoning (`content`, else `summary`), for providers that take it back." },
);

const InputItemReference = Type.Object(
  { type: Type.Literal("item_reference"), id: Type.String({ minLength: 1, description: "An output item's id (`msg_…`, `fc_…`, `rs_…`)." }) },
  { title: "ResponseInputItemReference", description: "An output item of one of the account's stored responses, looked up by its id." },
);

const InputItem = byType(
  {
    type: Type.Optional(
      Nullable(
        StringEnum(ITEM_TYPES, {
          "x-error-hint": "Items of built-in tools (web or file search, computer use, …) are not served: remove the item, or send its content as a message.",
        }),
      ),
    ),
  },
  [
    whenType("message", InputMessage, true),
    whenType("function_call", InputFunctionCall),
    whenType("function_call_output", InputFunctionCallOutput),
    whenType("reasoning", InputReasoning),
    whenType("item_reference", InputItemReference),
  ],
  {
    description:
      "An input item, by `type`: a message (the default), `function_call`, `function_call_output`, `reasoning` or `item_reference` (ResponseInputMessage, ResponseInputFunctionCall, ResponseInputFunctionCallOutput, ResponseInputReasoning, ResponseInputItemReference).",
  },
);

const FunctionTool = Type.Object(
  {
    type: Type.Literal("function"),
    name: Type.String({ minLength: 1, description: "The function's name, as the model calls it." }),
    description: Type.Optional(Type.Unknown({ description: "A string: what the function does, for the model." })),
    parameters: Type.Optional(Nullable(Type.Object({}, { description: "A JSON Schema object for the arguments." }))),
    strict: Type.Optional(
      Nullable(Type.Boolean({ description: "Whether the arguments must follow `parameters` exactly, where the provider can hold to it." })),
    ),
  },
  { title: "ResponseFunctionTool", description: "A function the model may call." },
);

const Tool = byType({ type: Type.String({ description: "`function`; built-in tools are a 400 naming them." }) }, [whenType("function", FunctionTool)], {
  description:
    "A function tool (ResponseFunctionTool). OpenAI's built-in tools (web search, file search, code interpreter, …) run on OpenAI's side and are refused.",
});

const NamedFunction = Type.Object({ type: Type.Literal("function"), name: Type.String({ description: "One of the function tools in `tools`." }) });

const AllowedTools = Type.Object({
  type: Type.Literal("allowed_tools"),
  mode: StringEnum(["auto", "required"]),
  tools: Type.Array(Type.Object({ type: Type.Literal("function"), name: Type.String() }), { description: "The function tools the model may call." }),
});

const ToolChoice = Nullable(
  Type.Union([
    byType(
      { type: Type.String({ "x-error-hint": 'Send {"type":"function","name":…} or {"type":"allowed_tools","mode":…,"tools":[…]}.' }) },
      [whenType("function", NamedFunction), whenType("allowed_tools", AllowedTools)],
      { "x-error-hint": 'It may also be "auto", "none" or "required".' },
    ),
    StringEnum(["auto", "none", "required"]),
  ]),
  {
    description:
      '`auto` (the default), `none`, `required`, `{"type":"function","name":…}` (call that function), or `{"type":"allowed_tools","mode":"auto"|"required","tools":[{"type":"function","name":…}]}` (only those).',
  },
);

const JsonSchemaFormat = Type.Object(
  {
    type: Type.Literal("json_schema"),
    name: Type.String({ minLength: 1, description: "A name for the schema.", "x-error-hint": "json_schema needs a name for the schema." }),
    schema: Type.Object({}, { description: "The JSON Schema the answer must follow." }),
    strict: Type.Optional(Nullable(Type.Boolean())),
    description: Type.Optional(Type.Unknown({ description: "A string: what the answer is, for the model." })),
  },
  { title: "ResponseJsonSchemaFormat", description: "Structured output: the answer is JSON following `schema`." },
);

const TextOptions = Type.Object(
  {
    format: Type.Optional(
      Nullable(
        byType({ type: StringEnum(["text", "json_object", "json_schema"]) }, [whenType("json_schema", JsonSchemaFormat)], {
          description: "`text` (the default), `json_object`, or `json_schema` (ResponseJsonSchemaFormat).",
        }),
      ),
    ),
    verbosity: Type.Optional(Nullable(StringEnum(["low", "medium", "high"]))),
  },
  { description: "The answer's text: its format and verbosity." },
);

const Reasoning = Type.Object(
  {
    effort: Type.Optional(
      Nullable(StringEnum(["none", "minimal", "low", "medium", "high"]), { description: "How hard the model thinks; translated per provider." }),
    ),
    summary: Type.Optional(Nullable(StringEnum(["auto", "concise", "detailed"]))),
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
      listOrString(InputItem, "as one user message", {
        description: "A string (one user message) or a non-empty list of input items. Required unless `previous_response_id` is given.",
        nullable: true,
        minItems: 1,
      }),
    ),
    instructions: Type.Optional(Nullable(Type.String(), { description: "A system message before the input; not carried over by `previous_response_id`." })),
    tools: Type.Optional(Nullable(Type.Array(Tool), { description: "Function tools the model may call." })),
    tool_choice: Type.Optional(ToolChoice),
    text: Type.Optional(Nullable(TextOptions)),
    reasoning: Type.Optional(Nullable(Reasoning)),
    max_output_tokens: Type.Optional(
      Nullable(Type.Integer({ minimum: 1 }), { description: "The most tokens the answer may hold; the credit hold is computed from it." }),
    ),
    temperature: Type.Optional(Nullable(Type.Number({ minimum: 0, maximum: 2 }), { description: "How random the answer is (default 1)." })),
    top_p: Type.Optional(
      Nullable(Type.Number({ minimum: 0, maximum: 1 }), { description: "Nucleus sampling: the share of probability mass to sample from (default 1)." }),
    ),
    parallel_tool_calls: Type.Optional(Nullable(Type.Boolean({ description: "Whether the model may call several functions at once (default true)." }))),
    stream: Type.Optional(Nullable(Type.Boolean({ description: "Answer with the event stream instead of one JSON Response." }))),
    store: Type.Optional(
      Nullable(
        Type.Boolean({
          description: "Keep the response for `previous_response_id` and `GET /v1/responses/{id}` (default true; off when the operator turned storing off).",
        }),
      ),
    ),
    previous_response_id: Type.Optional(
      Nullable(Type.String({ description: "A stored response (`resp_…`) to continue from: its input and output come before this request's input." })),
    ),
    metadata: Type.Optional(Nullable(Metadata)),
    user: Type.Optional(Nullable(Type.String({ description: "Your end user's id, passed to the provider." }))),
    safety_identifier: Type.Optional(Type.Unknown({ description: "A string: the newer name of `user`, read when `user` is not given." })),
    include: Type.Optional(
      Nullable(Type.Array(Type.String()), { description: "Accepted and ignored, except `message.output_text.logprobs`: log probabilities are a 400." }),
    ),
    truncation: Type.Optional(
      Nullable(
        StringEnum(["disabled"], {
          "x-error-hint": "Bentoo never drops input to make it fit; a prompt over the context length gets a 400.",
        }),
      ),
    ),
    service_tier: Type.Optional(Nullable(StringEnum(["auto", "default"], { description: "Other tiers are a 400." }))),
    top_logprobs: Type.Optional(Nullable(Type.Literal(0, { "x-error-hint": "Log probabilities are not supported; remove top_logprobs." }))),
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
