import { isUtf8 } from "node:buffer";
import { BentooError, nestsDeeperThan } from "@bentoo/core";
import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The JSON body's bytes as received (set by the JSON parser), for forwarding without serialising the body again. */
    rawBody: Buffer | null;
  }
}

/** Deepest nesting of objects and arrays accepted; real chat bodies (tools with JSON Schemas included) stay far below. */
export const MAX_JSON_DEPTH = 64;

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
/**
 * Replaces Fastify's application/json parser, keeping it as the last step (so
 * `__proto__` and `constructor.prototype` keys are still refused, via
 * secure-json-parse) after three checks of our own: the charset, if named, is
 * UTF-8 (415 otherwise); the bytes are valid UTF-8 (400 `invalid_json`, instead of
 * silently turning them into U+FFFD); nesting stays within MAX_JSON_DEPTH (400
 * `json_too_deep`). Other media types have no parser, so they get 415.
 */
export function installJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  const parseSecurely = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit }, (request, body, done) => {
    const bytes = body as Buffer;
    // Many clients send Content-Type on every request; an empty DELETE (or GET) body means "no body".
    if (bytes.length === 0 && (request.method === "DELETE" || request.method === "GET")) {
      done(null, undefined);
      return;
    }
    const charset = CHARSET.exec(request.headers["content-type"] ?? "")?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
      done(
        new BentooError("unsupported_media_type", "Send JSON as UTF-8: Content-Type: application/json (charset=utf-8 is the only charset accepted)."),
        undefined,
      );
      return;
    }
    if (!isUtf8(bytes)) {
      done(new BentooError("invalid_json", "The request body is not valid UTF-8; JSON must be sent as UTF-8 text."), undefined);
      return;
    }
    if (nestsDeeperThan(bytes, MAX_JSON_DEPTH)) {
      done(new BentooError("json_too_deep", `The JSON body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels; flatten it.`), undefined);
      return;
    }
    request.rawBody = bytes;
    parseSecurely(request, bytes.toString("utf8"), done);
  });
}
