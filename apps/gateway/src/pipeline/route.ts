import { BentooError } from "@bentoo/core";
import { type Answer, isRetryableUpstreamError, type ProviderCall, type ProviderRegistry, SANDBOX_PROVIDER_ID } from "@bentoo/providers";
import type { RequestMeter } from "./request-meter.js";

/**
 * Sends the call to the sandbox (test keys) or to the model's routes in order,
 * moving on to the next route only on a retryable upstream failure before any
 * byte reached the client (an unconfigured provider, an unreachable one, a 5xx,
 * a 429). `meter.provider` names the route tried last: the one that answered,
 * or the one whose failure is thrown (none when no provider was tried).
 */
export async function routeCall(providers: ProviderRegistry, call: ProviderCall, sandbox: boolean, meter: RequestMeter): Promise<Answer> {
  if (sandbox) {
    meter.provider = SANDBOX_PROVIDER_ID;
    return providers.sandbox.send(call, { providerId: SANDBOX_PROVIDER_ID, upstreamModel: call.model.id });
  }
  let lastError: BentooError | null = null;
  for (const route of call.model.routes) {
    const adapter = providers.adapterFor(route.providerId);
    if (adapter instanceof BentooError) {
      lastError ??= adapter;
      continue;
    }
    meter.provider = route.providerId;
    try {
      return await adapter.send(call, route);
    } catch (error) {
      if (call.cancellation.cancelled || !isRetryableUpstreamError(error)) throw error;
      lastError = error as BentooError;
    }
  }
  throw lastError ?? new BentooError("provider_not_configured", `No provider serves ${call.model.id}.`);
}
