import type { ProviderConfig } from "@bentoo/core";
import { UpstreamError } from "./upstream-error.js";

function describeKeyEnv(provider: ProviderConfig): string {
  return provider.apiKeyEnv === null ? "the provider's configuration" : provider.apiKeyEnv;
}

/** Redacts anything shaped like a secret and bounds the length of an upstream message. */
export function sanitizeUpstreamMessage(message: string): string {
  return message.replace(/\b(sk|btoo_sk|key|Bearer)[-_ ][A-Za-z0-9_\-*.]{6,}/g, "[redacted]").slice(0, 300);
}

function upstreamMessage(bodyText: string): string | null {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === "object" && parsed !== null && "error" in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === "string") return sanitizeUpstreamMessage(error);
      if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") return sanitizeUpstreamMessage(error.message);
    }
  } catch {
    // not JSON: fall through
  }
  return null;
}

/**
 * Maps an upstream HTTP error status to a Bentoo error (PRODUCT.md §2: 502/503/504; a client mistake stays a 400).
 * 408, 409, 429 and 5xx (Anthropic's 529 "overloaded" included) are transient: the same route may be asked again,
 * after `retryAfterMs` when the provider said how long.
 */
export function mapUpstreamStatus(
  provider: ProviderConfig,
  upstreamModel: string,
  status: number,
  bodyText: string,
  retryAfterMs: number | null = null,
): UpstreamError {
  const name = `provider "${provider.id}"`;
  const detail = upstreamMessage(bodyText);
  if (status === 401 || status === 403) {
    return new UpstreamError(
      "upstream_auth_failed",
      `${name} rejected Bentoo's credentials (HTTP ${status}); the operator should check ${describeKeyEnv(provider)}.`,
      true,
    );
  }
  if (status === 404) {
    return new UpstreamError(
      "upstream_error",
      `${name} does not know the model "${upstreamModel}" (HTTP 404); the operator should check the catalog's upstream_model.`,
      true,
    );
  }
  if (status === 429 || status === 408 || status === 409) {
    return new UpstreamError("upstream_unavailable", `${name} is rate limiting or busy (HTTP ${status}); retry shortly.`, true, {
      transient: true,
      retryAfterMs,
    });
  }
  if (status >= 400 && status < 500) {
    return new UpstreamError(
      "upstream_rejected_request",
      `${name} rejected the request (HTTP ${status})${detail === null ? "" : `: ${detail}`}. Check the request parameters.`,
      false,
    );
  }
  return new UpstreamError("upstream_error", `${name} failed with HTTP ${status}; retry, or try another model.`, true, { transient: true, retryAfterMs });
}
