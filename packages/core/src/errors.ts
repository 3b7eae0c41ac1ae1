import type { ErrorEnvelopeJson } from "@bentoo/api-types";

/**
 * The error-code catalogue. Every error Bentoo returns carries one of these codes
 * in OpenAI's envelope `{"error":{"message","type","param","code"}}`; the HTTP
 * status and `type` are derived from the code so that no handler picks its own.
 * docs/errors.md documents each code, and a test keeps the two in step.
 */
export const ERROR_TYPES = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  billing: "billing_error",
  permission: "permission_error",
  not_found: "not_found_error",
  rate_limit: "rate_limit_error",
  server: "api_error",
  upstream: "upstream_error",
} as const;

type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];

interface ErrorSpec {
  status: number;
  type: ErrorType;
}

const spec = (status: number, type: ErrorType): ErrorSpec => ({ status, type });
const T = ERROR_TYPES;

export const ERROR_CATALOGUE = {
  // 400
  invalid_json: spec(400, T.invalid_request),
  invalid_request: spec(400, T.invalid_request),
  json_too_deep: spec(400, T.invalid_request),
  https_required: spec(400, T.invalid_request),
  upstream_rejected_request: spec(400, T.invalid_request),
  context_length_exceeded: spec(400, T.invalid_request),
  previous_response_not_found: spec(400, T.invalid_request),
  model_kind_mismatch: spec(400, T.invalid_request),
  // 401
  missing_api_key: spec(401, T.authentication),
  invalid_auth_scheme: spec(401, T.authentication),
  malformed_api_key: spec(401, T.authentication),
  invalid_api_key: spec(401, T.authentication),
  revoked_api_key: spec(401, T.authentication),
  expired_api_key: spec(401, T.authentication),
  invalid_admin_token: spec(401, T.authentication),
  invalid_session: spec(401, T.authentication),
  invalid_credentials: spec(401, T.authentication),
  // 402
  insufficient_credits: spec(402, T.billing),
  key_spend_cap_reached: spec(402, T.billing),
  // 403
  ip_not_allowed: spec(403, T.permission),
  plan_limit_reached: spec(403, T.permission),
  plan_required: spec(403, T.permission),
  invalid_csrf_token: spec(403, T.permission),
  insufficient_scope: spec(403, T.permission),
  model_not_allowed: spec(403, T.permission),
  webhook_limit_reached: spec(403, T.permission),
  // 404
  not_found: spec(404, T.not_found),
  model_not_found: spec(404, T.not_found),
  account_not_found: spec(404, T.not_found),
  key_not_found: spec(404, T.not_found),
  response_not_found: spec(404, T.not_found),
  webhook_endpoint_not_found: spec(404, T.not_found),
  webhook_delivery_not_found: spec(404, T.not_found),
  // 405, 408, 409, 413, 415, 431
  method_not_allowed: spec(405, T.invalid_request),
  request_timeout: spec(408, T.invalid_request),
  conflict: spec(409, T.invalid_request),
  debit_exceeds_balance: spec(409, T.invalid_request),
  key_already_rolled: spec(409, T.invalid_request),
  request_too_large: spec(413, T.invalid_request),
  unsupported_media_type: spec(415, T.invalid_request),
  request_header_fields_too_large: spec(431, T.invalid_request),
  // 429
  rate_limit_exceeded: spec(429, T.rate_limit),
  // 5xx
  internal_error: spec(500, T.server),
  upstream_error: spec(502, T.upstream),
  upstream_unreachable: spec(502, T.upstream),
  upstream_auth_failed: spec(502, T.upstream),
  upstream_bad_response: spec(502, T.upstream),
  provider_not_configured: spec(503, T.upstream),
  upstream_unavailable: spec(503, T.upstream),
  service_unavailable: spec(503, T.server),
  upstream_timeout: spec(504, T.upstream),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The wire envelope (@bentoo/api-types), with the code narrowed to the catalogue's. */
export interface ErrorEnvelope extends ErrorEnvelopeJson {
  error: ErrorEnvelopeJson["error"] & { code: ErrorCode };
}

/** A failure with a stable code. Thrown anywhere; rendered in one place. */
export class BentooError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | null;
  /** Extra response headers, such as `Retry-After` on a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: { param?: string | null; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BentooError";
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.type = ERROR_CATALOGUE[code].type;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function isBentooError(value: unknown): value is BentooError {
  return value instanceof BentooError;
}
