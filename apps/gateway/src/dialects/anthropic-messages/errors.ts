import type { BentooError } from "@bentoo/core";

/**
 * Bentoo's errors in Anthropic's shape, as the Messages surface answers them
 * (https://docs.anthropic.com/en/api/errors):
 * `{"type":"error","error":{"type","message","details":{"error_code"}},"request_id"}`.
 * The HTTP status is Bentoo's own (docs/errors.md); `error.type` is the type
 * Anthropic gives that status, and Bentoo's stable code is
 * `error.details.error_code`, where Anthropic's SDKs read a machine-readable
 * cause (`APIError.errorCode` in the TypeScript SDK).
 */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

/** The type Anthropic names an error of this status with; a busy provider (503) is `overloaded_error`, as Anthropic's own 529 is. */
export function anthropicErrorType(error: BentooError): AnthropicErrorType {
  switch (error.status) {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 503:
      return error.code === "provider_not_configured" ? "api_error" : "overloaded_error";
    case 504:
      return "timeout_error";
    default:
      return error.status < 500 ? "invalid_request_error" : "api_error";
  }
}

/** The body of an error answer in Anthropic's shape. */
export function anthropicErrorBody(error: BentooError, requestId: string | null): Record<string, unknown> {
  return {
    type: "error",
    error: { type: anthropicErrorType(error), message: error.message, details: { error_code: error.code } },
    request_id: requestId,
  };
}

/** The `error` event that ends a stream which broke midway (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events). */
export function anthropicStreamError(error: BentooError, requestId: string | null): string {
  return `event: error\ndata: ${JSON.stringify(anthropicErrorBody(error, requestId))}\n\n`;
}
