import { ERROR_CATALOGUE, ERROR_TYPES, type ErrorCode } from "@bentoo/core";
import { type TSchema, Type } from "@sinclair/typebox";

/**
 * Schemas every route's documentation uses: the error envelopes, the error
 * answers grouped by status, and the rate-limit headers. A schema with a
 * `title` becomes a named component of the OpenAPI document (document.ts
 * hoists it), so give a title to every object worth a name.
 */

const ALL_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** OpenAI's error envelope, which every surface but Anthropic's Messages answers with. */
export const ErrorEnvelope = Type.Object(
  {
    error: Type.Object({
      message: Type.String({ description: "What went wrong and what to do about it, in a sentence or two." }),
      type: Type.Union(
        Object.values(ERROR_TYPES).map((type) => Type.Literal(type)),
        { description: "The class of error, derived from the code." },
      ),
      param: Type.Union([Type.String(), Type.Null()], { description: "The request parameter at fault, e.g. `messages[0].content`; null when none is." }),
      code: Type.Union(
        ALL_CODES.map((code) => Type.Literal(code)),
        { description: "Bentoo's stable error code: branch on this. /docs/errors lists every code." },
      ),
    }),
  },
  { title: "Error", description: "OpenAI's error envelope." },
);

/** Anthropic's error shape, which `/v1/messages` answers with so that Anthropic's SDKs read it. */
export const AnthropicErrorEnvelope = Type.Object(
  {
    type: Type.Literal("error"),
    error: Type.Object({
      type: Type.String({ description: "Anthropic's error type for the status, e.g. `invalid_request_error`, `overloaded_error`." }),
      message: Type.String(),
      details: Type.Object({ error_code: Type.String({ description: "Bentoo's stable error code (as `error.code` elsewhere)." }) }),
    }),
    request_id: Type.Union([Type.String(), Type.Null()]),
  },
  { title: "AnthropicError", description: "Anthropic's error shape, with Bentoo's code in `error.details.error_code`." },
);

const STATUS_TEXT: Record<number, string> = {
  400: "Bad request",
  401: "Not authenticated",
  402: "Payment required",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  408: "Request timeout",
  409: "Conflict",
  413: "Request too large",
  415: "Unsupported media type",
  429: "Rate limited",
  431: "Request headers too large",
  500: "Internal error",
  502: "Upstream failed",
  503: "Unavailable",
  504: "Upstream timed out",
};

/** What any request may fail with, before or after its route ran: its transport, its body, the server. */
const TRANSPORT_ERRORS: readonly ErrorCode[] = [
  "invalid_request",
  "invalid_json",
  "json_too_deep",
  "https_required",
  "request_too_large",
  "unsupported_media_type",
  "request_timeout",
  "request_header_fields_too_large",
  "internal_error",
  "service_unavailable",
];

/** What any authenticated API request may fail with, whatever the route: the transport's, the key's, the IP allowlist's, the scope's. */
export const COMMON_API_ERRORS: readonly ErrorCode[] = [
  ...TRANSPORT_ERRORS,
  "missing_api_key",
  "invalid_auth_scheme",
  "malformed_api_key",
  "invalid_api_key",
  "revoked_api_key",
  "expired_api_key",
  "ip_not_allowed",
  "insufficient_scope",
];

/** What the admin API may fail with on any route. */
export const COMMON_ADMIN_ERRORS: readonly ErrorCode[] = [...TRANSPORT_ERRORS, "invalid_admin_token"];

/**
 * A documented answer: its description, its JSON body's schema and its headers,
 * in the form the OpenAPI generator keeps apart (so that a named schema stays
 * one component, whatever each answer says about it).
 */
export function jsonResponse(schema: TSchema, description: string, headers: Record<string, TSchema> = {}): Record<string, unknown> {
  return {
    description,
    content: { "application/json": { schema } },
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
  };
}

/** A model route's success: JSON, or with `stream: true` an event stream whose events `events` describes. */
export function jsonOrStreamResponse(schema: TSchema, events: string, description: string, headers: Record<string, TSchema>): Record<string, unknown> {
  return {
    description,
    content: {
      "application/json": { schema },
      "text/event-stream": { schema: Type.String({ description: events }) },
    },
    headers,
  };
}

const RetryAfter = Type.String({ description: "Seconds to wait before retrying." });

/**
 * The error answers of a route, one per status, each listing its codes: the
 * `common` ones and the route's own. `envelope` is the shape the route answers
 * errors in (Anthropic's for the Messages surface).
 */
export function errorResponses(
  codes: readonly ErrorCode[],
  options: { common?: readonly ErrorCode[]; envelope?: TSchema; headers?: Record<string, TSchema> } = {},
): Record<string, unknown> {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of [...(options.common ?? COMMON_API_ERRORS), ...codes]) {
    const { status } = ERROR_CATALOGUE[code];
    const set = byStatus.get(status) ?? new Set<ErrorCode>();
    set.add(code);
    byStatus.set(status, set);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, set] of [...byStatus.entries()].sort(([a], [b]) => a - b)) {
    const list = [...set].map((code) => `\`${code}\``).join(", ");
    const headers = { ...options.headers, ...(status === 429 || status === 503 ? { "retry-after": RetryAfter } : {}) };
    responses[String(status)] = jsonResponse(options.envelope ?? ErrorEnvelope, `${STATUS_TEXT[status] ?? "Error"}: ${list}.`, headers);
  }
  return responses;
}

/** OpenAI's rate-limit headers, sent with every answer of a model route (the tighter of the account's and the key's limits). */
export const RATE_LIMIT_HEADERS: Record<string, TSchema> = {
  "x-ratelimit-limit-requests": Type.String({ description: "Requests allowed per minute." }),
  "x-ratelimit-remaining-requests": Type.String({ description: "Requests left in the current minute." }),
  "x-ratelimit-reset-requests": Type.String({ description: "When the request budget is full again, e.g. `1s` or `6m0s`." }),
  "x-ratelimit-limit-tokens": Type.String({ description: "Tokens allowed per minute." }),
  "x-ratelimit-remaining-tokens": Type.String({ description: "Tokens left in the current minute." }),
  "x-ratelimit-reset-tokens": Type.String({ description: "When the token budget is full again." }),
};

/** Headers every answer carries. */
export const REQUEST_ID_HEADER: Record<string, TSchema> = {
  "x-request-id": Type.String({ description: "This request's id (`req_…`), also in its audit record: quote it to support." }),
};

/** Security requirements: the API key as a Bearer token or, for Anthropic's clients, in `x-api-key`. */
export const API_KEY_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
export const ADMIN_SECURITY: Record<string, string[]>[] = [{ adminToken: [] }];

/** A value or null. */
export const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) => Type.Union([schema, Type.Null()], options);

/**
 * Compiles only when `Exactly` holds: a response schema's static type and the
 * wire type in @bentoo/api-types are the same, so neither can change alone.
 * Usage: `sameShape<Exactly<Static<typeof Model>, ModelJson>>();`
 */
export type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export function sameShape<_Check extends true>(): void {}
