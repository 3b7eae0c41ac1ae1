import type { ProviderConfig } from "@bentoo/core";
import { UpstreamError } from "../upstream-error.js";
import { mapUpstreamStatus, sanitizeUpstreamMessage } from "../upstream-status.js";
import { parseJson, readGeminiError } from "./wire.js";

/**
 * Gemini's error answers (`{"error": {"code", "message", "status", "details"}}`,
 * https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes) as Bentoo's
 * errors. upstream-status.ts maps the statuses as for every provider (400 → the
 * client's mistake, with Gemini's message; 403 → credentials; 404 → the catalog's
 * upstream model; 429 RESOURCE_EXHAUSTED and 5xx → retryable, so the model's next
 * route is tried), with three exceptions Gemini needs:
 * - 400 with reason API_KEY_INVALID: Gemini's answer to a bad key is the operator's
 *   problem, not the client's (upstream_auth_failed);
 * - 400 FAILED_PRECONDITION: the operator's project cannot use the API as it is
 *   (a region without the free tier, billing not set up), which no change to the
 *   request fixes: retryable upstream_error;
 * - 504 DEADLINE_EXCEEDED: Gemini gave up in time: upstream_timeout (not asked again
 *   on the same route, as a timeout is not).
 * A 429 or 5xx may be asked again on the same route (transient), after the wait its
 * `Retry-After` header or, as Gemini's quota errors say it, its RetryInfo detail's
 * `retryDelay` asks for.
 */
export function geminiError(
  provider: ProviderConfig,
  upstreamModel: string,
  response: { status: number; body: Buffer; retryAfterMs: number | null },
): UpstreamError {
  const { status } = response;
  const bodyText = response.body.toString("utf8");
  const error = readGeminiError(parseJson(bodyText));
  const name = `provider "${provider.id}"`;
  if (status === 400 && error?.reasons.includes("API_KEY_INVALID")) {
    const variable = provider.apiKeyEnv ?? "the provider's configuration";
    return new UpstreamError(
      "upstream_auth_failed",
      `${name} rejected Bentoo's API key (HTTP 400 API_KEY_INVALID); the operator should check ${variable}.`,
      true,
    );
  }
  if (status === 400 && error?.status === "FAILED_PRECONDITION") {
    return new UpstreamError(
      "upstream_error",
      `${name} cannot serve requests for this server's project (HTTP 400 FAILED_PRECONDITION: ${sanitizeUpstreamMessage(error.message)}); the operator should check the provider account.`,
      true,
    );
  }
  if (status === 504) return new UpstreamError("upstream_timeout", `${name} did not answer in time (HTTP 504); retry, or try another model.`, true);
  return mapUpstreamStatus(provider, upstreamModel, status, bodyText, response.retryAfterMs ?? error?.retryDelayMs ?? null);
}
