import type { ErrorCode } from "@bentoo/core";
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
  description:
    "Test keys only (live keys ignore it): fail the way the live path fails — `rate_limit`, `insufficient_credits`, `upstream_error`, `upstream_timeout`, `overloaded`, `stream_interrupted` or `content_filter` (case-insensitive; another value is a 400 naming the header). See /docs/test-mode.",
});
