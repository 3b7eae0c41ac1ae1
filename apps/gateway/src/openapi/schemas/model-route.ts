import type { ErrorCode } from "@bentoo/core";
import { SIMULATED_FAILURES } from "@bentoo/providers";
import { Type } from "@sinclair/typebox";

/** What the model routes' schemas share (pipeline/model-route.ts runs them all). */

/**
 * What a model route may answer beyond the common errors: the model and the
 * key's model list, the estimate against the model's context, admission (rate
 * limits, credits, the key's spend cap), and the providers.
 */
export const MODEL_ROUTE_ERRORS: readonly ErrorCode[] = [
  "context_length_exceeded",
  "model_kind_mismatch",
  "upstream_rejected_request",
  "insufficient_credits",
  "key_spend_cap_reached",
  "model_not_allowed",
  "model_not_found",
  "rate_limit_exceeded",
  "upstream_error",
  "upstream_unreachable",
  "upstream_auth_failed",
  "upstream_bad_response",
  "provider_not_configured",
  "upstream_unavailable",
  "upstream_timeout",
];

/**
 * The `Bentoo-Simulate` request header (pipeline/simulate.ts, docs/test-mode.md).
 * Only a string: a live key's request ignores the header, whatever it says, so
 * the route may not refuse a value the sandbox does not know.
 */
export const SimulateHeader = Type.String({
  description: [
    "Test keys only (live keys ignore it, so a stray header never fails production traffic): make this request fail the way the live path fails, with the same status, code and headers, in this API's error shape. The value is case-insensitive; another value is a 400 `invalid_request` naming `Bentoo-Simulate` and listing these:",
    "",
    "- `rate_limit`: 429 `rate_limit_exceeded` with `Retry-After: 1` and `x-ratelimit-remaining-requests: 0`",
    "- `insufficient_credits`: 402 `insufficient_credits`",
    "- `upstream_error`: 502 `upstream_error` (a provider's 5xx)",
    "- `upstream_timeout`: 504 `upstream_timeout`",
    "- `overloaded`: 503 `upstream_unavailable`",
    "- `stream_interrupted`: a stream stops about halfway with the API's error event instead of its normal end; without `stream`, 502 `upstream_error`",
    "- `content_filter`: a 200 answer stopped by a content filter (no text, finish reason `content_filter`)",
  ].join("\n"),
  examples: [...SIMULATED_FAILURES],
});
