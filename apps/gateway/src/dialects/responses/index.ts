import { type BentooError, type JsonObject, newId } from "@bentoo/core";
import type { Dialect, ParsedRequest } from "../dialect.js";
import { openResponsesExchange, type ResponsesStorage } from "./exchange.js";
import { parseResponsesRequest, type ResponsesRequest } from "./parse-request.js";
import { answerResponse, type ResponseShell } from "./response-object.js";
import { ResponsesStreamWriter } from "./write-stream.js";

export type { ResponsesStorage } from "./exchange.js";

/** A broken stream's last event when no request state is at hand (every request of this dialect has one; kept for the interface). */
function streamError(error: BentooError): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", sequence_number: 0, code: error.code, message: error.message, param: error.param })}\n\n`;
}

/** The answer writer without request state: a fresh response id per answer, nothing stored. */
function statelessShell(): ResponseShell {
  const now = Date.now();
  return { id: newId("response", now), createdAt: Math.floor(now / 1000), echo: {} };
}

/**
 * OpenAI's Responses API (`POST /v1/responses`): input items in, a Response
 * object or its semantic event stream out, errors in OpenAI's envelope, and
 * responses stored for `previous_response_id` and `GET /v1/responses/{id}`
 * unless the client (`store: false`) or the operator says otherwise.
 * https://platform.openai.com/docs/api-reference/responses
 */
export function responsesDialect(storage: ResponsesStorage): Dialect {
  // What parse checked, for open to take up (parse has no account; open has no body to check).
  const requests = new WeakMap<ParsedRequest, ResponsesRequest>();
  return {
    modelKind: "chat",
    wire: "openai-responses",
    parse(body: unknown): ParsedRequest {
      const request = parseResponsesRequest(body);
      requests.set(request.parsed, request);
      return request.parsed;
    },
    open(parsed, caller) {
      const request = requests.get(parsed);
      if (request === undefined) throw new Error("responses: open() called with a request this dialect did not parse");
      return openResponsesExchange(request, caller, storage);
    },
    answers: {
      json: (response, context) => JSON.stringify(answerResponse(statelessShell(), response, context)),
      stream: (context) => new ResponsesStreamWriter(statelessShell(), context, false),
    },
    parameterNames: { prompt: "input", maxOutputTokens: "max_output_tokens" },
    errorBody: (error: BentooError): JsonObject => error.toEnvelope() as unknown as JsonObject,
    streamError,
  };
}
