import { BentooError } from "@bentoo/core";
import { ClientAbortedError } from "@bentoo/providers";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LogThrottle } from "../infra/log-throttle.js";
import { trackKnownRoutes } from "./known-routes.js";
import { answerBeforeBody, type DrainLimits, drainLimits } from "./unread-body.js";

/**
 * The one place that turns failures into OpenAI's error envelope. Handlers throw
 * BentooErrors (or let Fastify's own 4xx errors through); nothing else renders
 * errors, and no 5xx ever carries internal details.
 */
export function toBentooError(error: unknown, bodyLimitBytes: number): BentooError | null {
  if (error instanceof BentooError) return error;
  const fastifyError = error as Partial<FastifyError> | null;
  const status = fastifyError?.statusCode;
  const code = fastifyError?.code;
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE" || status === 413) {
    return new BentooError("request_too_large", `The request body is larger than this server's limit of ${bodyLimitBytes} bytes; send a smaller request.`);
  }
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || status === 415) {
    return new BentooError("unsupported_media_type", "Send the request body as JSON with the header Content-Type: application/json.");
  }
  if (code === "FST_ERR_CTP_EMPTY_JSON_BODY") return new BentooError("invalid_json", "The request body is empty; send a JSON object.");
  if (error instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return new BentooError("invalid_json", "The request body is not valid JSON; check quoting and commas, and send Content-Type: application/json.");
  }
  if (code === "FST_ERR_CTP_INVALID_CONTENT_LENGTH") return new BentooError("invalid_request", "The Content-Length header does not match the body.");
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new BentooError(
      status === 405 ? "method_not_allowed" : "invalid_request",
      "The request could not be processed; check its method, headers and body.",
    );
  }
  return null;
}

/**
 * Answers with the error in the shape of the route's client API (OpenAI's envelope
 * unless the route's dialect says otherwise). A refusal can go out before the
 * request's body has arrived; the rest of the body is then read and discarded
 * (bounded by `drain`), so that the client reads the answer instead of a broken pipe.
 */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: BentooError, drain: DrainLimits): FastifyReply {
  answerBeforeBody(request, reply, drain);
  const dialect = request.routeOptions.config?.dialect;
  return reply
    .code(error.status)
    .headers(error.headers)
    .send(dialect === undefined ? error.toEnvelope() : dialect.errorBody(error, request.id));
}

/**
 * Installs the one error handler (every thrown error becomes an answer here) and
 * the handler for requests no route matched: 405 with `Allow` for a known path
 * with another method, else 404. Call before registering routes. 5xx answers are
 * logged through `outageLog` (one line per error code per interval, with counts):
 * an outage fails every request the same way.
 */
export function installErrorHandler(app: FastifyInstance, bodyLimitBytes: number, outageLog: LogThrottle = new LogThrottle()): void {
  const known = trackKnownRoutes(app);
  const drain = drainLimits(bodyLimitBytes);
  app.setErrorHandler((error, request, reply) => {
    // A client gone while the upstream answered (ClientAbortedError), or before its body had all arrived.
    if (error instanceof ClientAbortedError || (request.raw.destroyed && !request.raw.complete)) {
      // Nobody is listening any more; 499 (nginx's "client closed request") is what the audit log shows.
      request.errorCode = "client_closed_request";
      return reply.code(499).send();
    }
    const mapped = toBentooError(error, bodyLimitBytes);
    request.errorCode = mapped?.code ?? "internal_error";
    if (mapped !== null) {
      if (mapped.status >= 500) outageLog.warn(request.log, mapped.code, { code: mapped.code, requestId: request.id }, mapped.message);
      return sendError(request, reply, mapped, drain);
    }
    outageLog.error(request.log, "internal_error", { err: error, requestId: request.id }, "unhandled error");
    return sendError(
      request,
      reply,
      new BentooError("internal_error", `Bentoo hit an unexpected error. Retry; if it persists, report request id ${request.id}.`),
      drain,
    );
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0]!;
    const allowed = known.allowedMethods(path);
    if (allowed.length > 0) {
      request.errorCode = "method_not_allowed";
      reply.header("allow", allowed.join(", "));
      return sendError(
        request,
        reply,
        new BentooError("method_not_allowed", `${path.slice(0, 200)} does not accept ${request.method}; use ${allowed.join(" or ")}.`),
        drain,
      );
    }
    request.errorCode = "not_found";
    return sendError(
      request,
      reply,
      new BentooError("not_found", `There is no ${request.method} ${path.slice(0, 200)} endpoint. The API lives under /v1 (see GET /v1/models).`),
      drain,
    );
  });
}
