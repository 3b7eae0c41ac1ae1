import { Type } from "@sinclair/typebox";
import { Nullable } from "../shared.js";
import { StringEnum } from "./compact.js";

/**
 * The Response object of OpenAI's Responses API as Bentoo writes it
 * (dialects/responses/response-object.ts), for the documentation: the JSON
 * answer of `POST /v1/responses`, what `GET /v1/responses/{id}` returns, and
 * what the stream's `response.*` events carry.
 * https://platform.openai.com/docs/api-reference/responses/object
 */

const OutputText = Type.Object(
  {
    type: Type.Literal("output_text"),
    text: Type.String(),
    annotations: Type.Array(Type.Unknown(), { description: "Always empty." }),
    logprobs: Type.Array(Type.Unknown(), { description: "Always empty." }),
  },
  { title: "ResponseOutputText" },
);

const Refusal = Type.Object({ type: Type.Literal("refusal"), refusal: Type.String() }, { title: "ResponseOutputRefusal" });

const ItemStatus = StringEnum(["in_progress", "completed", "incomplete"]);

const OutputMessage = Type.Object(
  {
    id: Type.String({ description: "`msg_<response>_<index>`: an `item_reference` to it finds its stored response." }),
    type: Type.Literal("message"),
    status: ItemStatus,
    role: Type.Literal("assistant"),
    content: Type.Array(Type.Union([OutputText, Refusal])),
  },
  { title: "ResponseOutputMessage", description: "The answer's text (or refusal); an empty text when the model answered only with function calls." },
);

const OutputFunctionCall = Type.Object(
  {
    id: Type.String({ description: "`fc_<response>_<index>`." }),
    type: Type.Literal("function_call"),
    status: ItemStatus,
    arguments: Type.String({ description: "The arguments as JSON text." }),
    call_id: Type.String({ description: "The provider's call id: send it back in a `function_call_output` item." }),
    name: Type.String(),
  },
  { title: "ResponseOutputFunctionCall", description: "A function the model calls." },
);

const OutputReasoning = Type.Object(
  {
    id: Type.String({ description: "`rs_<response>_<index>`." }),
    type: Type.Literal("reasoning"),
    summary: Type.Array(Type.Object({ type: Type.Literal("summary_text"), text: Type.String() })),
  },
  { title: "ResponseOutputReasoning", description: "The model's reasoning, as a summary text." },
);

export const ResponseUsage = Type.Object(
  {
    input_tokens: Type.Integer({ description: "Every input token, cached ones included." }),
    input_tokens_details: Type.Object({
      cached_tokens: Type.Integer({ description: "Input tokens read from the provider's prompt cache." }),
      cache_write_tokens: Type.Integer({ description: "Input tokens written to the provider's prompt cache." }),
    }),
    output_tokens: Type.Integer({ description: "Output tokens, reasoning included." }),
    output_tokens_details: Type.Object({ reasoning_tokens: Type.Integer() }),
    total_tokens: Type.Integer(),
    cost: Type.Number({ description: "What the request cost, in USD (0 on a test key)." }),
    cost_micros: Type.Integer({ description: "The same in micro-dollars: the exact charge." }),
    estimated: Type.Optional(Type.Literal(true, { description: "Present when the provider reported no usage and Bentoo counted the tokens itself." })),
  },
  { title: "ResponseUsage" },
);

const EchoedTool = Type.Object({
  type: Type.Literal("function"),
  name: Type.String(),
  description: Nullable(Type.String()),
  parameters: Nullable(Type.Object({})),
  strict: Nullable(Type.Boolean()),
});

export const ResponseObject = Type.Object(
  {
    id: Type.String({ description: "`resp_…`" }),
    object: Type.Literal("response"),
    created_at: Type.Integer({ description: "Unix seconds." }),
    status: StringEnum(["completed", "incomplete", "failed", "in_progress"], {
      description:
        "`incomplete`: cut by the output limit or a content filter (`incomplete_details.reason`); `failed`: the provider stopped without an answer; `in_progress` only in the stream's first events.",
    }),
    background: Type.Boolean({ description: "Always false." }),
    error: Nullable(Type.Object({ code: Type.String({ description: "`server_error` or `rate_limit_exceeded`." }), message: Type.String() })),
    incomplete_details: Nullable(Type.Object({ reason: StringEnum(["max_output_tokens", "content_filter"]) })),
    instructions: Nullable(Type.String()),
    max_output_tokens: Nullable(Type.Integer()),
    model: Type.String({ description: "The catalog id." }),
    output: Type.Array(Type.Union([OutputReasoning, OutputMessage, OutputFunctionCall]), {
      description:
        "In order: the reasoning, the message, one item per function call. The SDKs' `output_text` is the text of the `output_text` parts, joined; it is not part of the JSON.",
    }),
    parallel_tool_calls: Type.Boolean(),
    previous_response_id: Nullable(Type.String()),
    reasoning: Type.Object({ effort: Nullable(Type.String()), summary: Nullable(Type.String()) }),
    store: Type.Boolean({ description: "Whether the response is stored." }),
    temperature: Type.Number(),
    text: Type.Object({ format: Type.Object({ type: Type.String() }), verbosity: Type.Optional(Type.String()) }, { description: "The request's `text`." }),
    tool_choice: Type.Union([Type.String(), Type.Object({ type: Type.String() })], { description: "The request's `tool_choice`." }),
    tools: Type.Array(EchoedTool),
    top_p: Type.Number(),
    truncation: Type.Literal("disabled"),
    usage: Nullable(ResponseUsage, { description: "Null only in the stream's first events." }),
    user: Nullable(Type.String()),
    metadata: Type.Object({}, { additionalProperties: Type.String() }),
  },
  { title: "Response", description: "OpenAI's Response object." },
);

export const DeletedResponse = Type.Object(
  { id: Type.String(), object: Type.Literal("response"), deleted: Type.Literal(true) },
  { title: "DeletedResponse", description: "The response was deleted." },
);

/** The events of `stream: true`, for the 200 answer's `text/event-stream` entry. */
export const RESPONSE_EVENTS = [
  "Server-sent events, each `event: <type>` with a JSON `data` object carrying the same `type` and a `sequence_number` counting from 0:",
  "`response.created` and `response.in_progress` (`response`: the Response with `status: in_progress`);",
  "per output item, in the order the model produced them, `response.output_item.added` … `response.output_item.done` (`output_index`, `item`), with between them",
  "for a message `response.content_part.added`, `response.output_text.delta` (`item_id`, `delta`), `response.output_text.done` (`text`) and `response.content_part.done`;",
  "for a function call `response.function_call_arguments.delta` (`delta`) and `response.function_call_arguments.done` (`name`, `arguments`);",
  "for reasoning `response.reasoning_summary_part.added`, `response.reasoning_summary_text.delta`, `response.reasoning_summary_text.done` and `response.reasoning_summary_part.done`;",
  "then `response.completed` or `response.incomplete` with the whole Response and its usage. There is no `data: [DONE]`.",
  "A stream that breaks after it started ends with `error` (`code`: Bentoo's error code, `message`, `param`) and `response.failed`, whose Response carries `error` and the usage charged.",
].join(" ");
