import type { IncomingHttpHeaders } from "node:http";
import type { Dialect } from "../dialect.js";
import { anthropicErrorBody, anthropicStreamError } from "./errors.js";
import { parseMessagesRequest } from "./parse-request.js";
import { writeMessage } from "./write-answer.js";
import { MessagesStreamWriter } from "./write-stream.js";

/** The client's headers an `anthropic` provider gets as they are: the API version and the beta features the body may use. */
const FORWARDED_HEADERS = ["anthropic-version", "anthropic-beta"] as const;

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  let forwarded: Record<string, string> | undefined;
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (typeof value !== "string" || value === "") continue;
    forwarded ??= {};
    forwarded[name] = value;
  }
  return forwarded;
}

/**
 * Anthropic's Messages API (`POST /v1/messages`): Message objects or Anthropic's
 * event stream, errors in Anthropic's shape. A provider of type `anthropic`
 * takes the client's body (and its `anthropic-version` and `anthropic-beta`
 * headers) as they are; every other provider and the sandbox answer through
 * the writers here.
 */
export const anthropicMessages: Dialect = {
  wire: "anthropic-messages",
  modelKind: "chat",
  parse: parseMessagesRequest,
  answers: {
    json: writeMessage,
    stream: (context) => new MessagesStreamWriter(context),
  },
  errorBody: anthropicErrorBody,
  streamError: anthropicStreamError,
  passthroughHeaders: forwardedHeaders,
};
