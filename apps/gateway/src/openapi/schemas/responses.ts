import { Type } from "@sinclair/typebox";
import { API_KEY_SECURITY, errorResponses, jsonOrStreamResponse, jsonResponse, RATE_LIMIT_HEADERS, REQUEST_ID_HEADER } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { MODEL_ROUTE_ERRORS, SimulateHeader } from "./model-route.js";
import { DeletedResponse, RESPONSE_EVENTS, ResponseObject } from "./response-object.js";
import { CreateResponseRequest } from "./responses-request.js";

/** The route schemas of OpenAI's Responses API: `POST /v1/responses`, and `GET` / `DELETE /v1/responses/{id}` for stored responses. */

const ResponseId = Type.Object({ id: Type.String({ description: "The response's id, `resp_…`." }) });

export const CREATE_RESPONSE_SCHEMA: RouteSchema = {
  summary: "Create a response",
  description: [
    "OpenAI's Responses API for every chat model in the catalog, whatever its provider speaks: `input` as a string or items (messages, `function_call`, `function_call_output`, `reasoning`, `item_reference`), `instructions`, function tools, `text.format` (JSON schema included), `reasoning.effort`.",
    "The answer is one Response object, or with `stream: true` the Responses API's semantic events ending in `response.completed`.",
    "",
    "The response is stored for `previous_response_id` and `GET /v1/responses/{id}` unless `store: false` or the operator turned storing off (`BENTOO_RESPONSES_STORE=false`; `previous_response_id` is then a 400 that says so).",
    "What Bentoo cannot serve is a 400 naming it: built-in tools, background responses, `conversation`, prompt templates, log probabilities, `truncation: auto`.",
  ].join("\n"),
  tags: ["Responses"],
  operationId: "createResponse",
  security: API_KEY_SECURITY,
  headers: Type.Object({ "Bentoo-Simulate": Type.Optional(SimulateHeader) }),
  body: CreateResponseRequest,
  response: {
    200: jsonOrStreamResponse(ResponseObject, RESPONSE_EVENTS, "The Response, or its event stream when `stream` is true.", {
      ...RATE_LIMIT_HEADERS,
      ...REQUEST_ID_HEADER,
    }),
    ...errorResponses([...MODEL_ROUTE_ERRORS, "previous_response_not_found"], { headers: REQUEST_ID_HEADER }),
  },
};

export const GET_RESPONSE_SCHEMA: RouteSchema = {
  summary: "Get a stored response",
  description:
    "A response this account stored, as its client received it. Another account's response, or one deleted, purged or made with `store: false`, is a 404. Streaming it again is not supported (`stream=true` is a 400): Bentoo runs no background responses.",
  tags: ["Responses"],
  operationId: "getResponse",
  security: API_KEY_SECURITY,
  params: ResponseId,
  response: {
    200: jsonResponse(ResponseObject, "The stored Response.", REQUEST_ID_HEADER),
    ...errorResponses(["response_not_found"], { headers: REQUEST_ID_HEADER }),
  },
};

export const DELETE_RESPONSE_SCHEMA: RouteSchema = {
  summary: "Delete a stored response",
  description:
    "Deletes a response this account stored; `previous_response_id` and `item_reference` can no longer name it. Another account's response is a 404.",
  tags: ["Responses"],
  operationId: "deleteResponse",
  security: API_KEY_SECURITY,
  params: ResponseId,
  response: {
    200: jsonResponse(DeletedResponse, "The response is deleted.", REQUEST_ID_HEADER),
    ...errorResponses(["response_not_found"], { headers: REQUEST_ID_HEADER }),
  },
};
