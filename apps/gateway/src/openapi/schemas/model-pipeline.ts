import type { ErrorCode } from "@bentoo/core";
import { SIMULATED_FAILURES } from "@bentoo/providers";
import { Type } from "@sinclair/typebox";

/**
 * What every model route (Chat Completions, Responses, Messages, Embeddings)
 * shares in its documentation: the pipeline's refusals and upstream failures,
 * and the test keys' `Bentoo-Simulate` header (pipeline/).
 */

/**
 * The codes the model pipeline answers with, whatever the client API: the
 * model (resolve-model.ts, model-allowed.ts), the estimate, admission (rate
 * limits, the key's spend cap, credits), routing (an unconfigured provider,
 * the upstream's failures), and a body too slow to arrive.
 */
export const MODEL_PIPELINE_ERRORS: readonly ErrorCode[] = [
  "model_not_found",
  "model_kind_mismatch",
  "model_not_allowed",
  "context_length_exceeded",
  "rate_limit_exceeded",
  "insufficient_credits",
  "key_spend_cap_reached",
  "provider_not_configured",
  "upstream_rejected_request",
  "upstream_error",
  "upstream_unreachable",
  "upstream_auth_failed",
  "upstream_bad_response",
  "upstream_unavailable",
  "upstream_timeout",
  "request_timeout",
];

const SIMULATE_DESCRIPTION = [
  "Test keys only (live keys ignore it, so a stray header never fails production traffic): make this request fail the way the live path fails, with the same status, code and headers, in this API's error shape. The value is case-insensitive; another value is a 400 `invalid_request` naming `Bentoo-Simulate` and listing these:",
  "",
  "- `rate_limit`: 429 `rate_limit_exceeded` with `Retry-After: 1` and `x-ratelimit-remaining-requests: 0`",
  "- `insufficient_credits`: 402 `insufficient_credits`",
  "- `upstream_error`: 502 `upstream_error` (a provider's 5xx)",
  "- `upstream_timeout`: 504 `upstream_timeout`",
  "- `overloaded`: 503 `upstream_unavailable`",
  "- `stream_interrupted`: a stream stops about halfway with the API's error event instead of its normal end; without `stream`, 502 `upstream_error`",
  "- `content_filter`: a 200 answer stopped by a content filter (no text, finish reason `content_filter`)",
].join("\n");

/** The request headers a model route reads beyond authentication: a test key's simulated failure (pipeline/simulate.ts). */
export const SimulateHeaders = Type.Object({
  "Bentoo-Simulate": Type.Optional(Type.String({ description: SIMULATE_DESCRIPTION, examples: [...SIMULATED_FAILURES] })),
});
