import { maxHeaderSize, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { BentooError, newId } from "@bentoo/core";
import type { ConnectionError, FastifyInstance } from "fastify";
import type { ServerTimeouts } from "../transport-config.js";
import { isAnsweredEarly } from "./unread-body.js";

/** The error for what Node's HTTP parser (or its timeouts) refused before any route saw a request. */
export function parserRefusal(code: string | undefined, timeouts: ServerTimeouts): BentooError {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return new BentooError(
        "request_header_fields_too_large",
        `The request's headers are larger than this server accepts (${maxHeaderSize} bytes in all); send fewer or shorter headers (cookies included).`,
      );
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new BentooError("request_too_large", "The chunk extensions of the request body are too large; send the body without chunk extensions.");
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new BentooError(
        "request_timeout",
        `The request did not arrive in time: its headers must arrive within ${timeouts.headersMs / 1000} s and the whole request within ${timeouts.requestMs / 1000} s. Send it again.`,
      );
    default:
      return new BentooError(
        "invalid_request",
        "The request is not valid HTTP/1.1 (its request line, a header or the body's framing is malformed); check the client or the proxy in front of Bentoo.",
      );
  }
}

/** A whole HTTP/1.1 answer carrying the error in OpenAI's envelope; the connection closes after it. */
export function rawErrorAnswer(error: BentooError, requestId: string): string {
  const body = JSON.stringify(error.toEnvelope());
  return [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ""}`,
    "content-type: application/json; charset=utf-8",
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    "connection: close",
    "",
    body,
  ].join("\r\n");
}

/** The response in progress on this connection (Node's own guard reads the same field before it writes an error). */
function responseStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP server emits `clientError` for what
 * it refuses before a request exists (headers over `maxHeaderSize` → 431, a
 * malformed request line or framing → 400, the headers or request timeout → 408).
 * Node's and Fastify's own answers are not in OpenAI's envelope; this one is,
 * with `x-request-id` and `Connection: close`. Nothing is written when the
 * socket cannot take it or an answer to this request already went out (a
 * response underway, or an early refusal whose body is being read); the
 * connection is then just closed. Logged at trace level only: a flood of
 * malformed requests must not flood the log.
 */
export function clientErrorHandler(timeouts: ServerTimeouts) {
  return function answerClientError(this: FastifyInstance, error: ConnectionError, socket: Socket): void {
    // A reset peer is gone; an ended socket was answered already (the parser reports each later chunk again).
    if (error.code === "ECONNRESET" || socket.destroyed || socket.writableEnded) return;
    this.log.trace({ err: error }, "client error");
    if (!socket.writable || isAnsweredEarly(socket) || responseStarted(socket)) {
      socket.destroy();
      return;
    }
    const answer = rawErrorAnswer(parserRefusal(error.code, timeouts), newId("request"));
    // The answer, then our FIN; the socket is released once both are out.
    socket.end(answer, () => socket.destroy());
  };
}
