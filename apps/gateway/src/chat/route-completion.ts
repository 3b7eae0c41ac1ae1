import { BentooError, type CatalogModel } from "@bentoo/core";
import { isRetryableUpstreamError, SANDBOX_PROVIDER_ID, type ChatCall, type ChatResult, type ProviderRegistry } from "@bentoo/providers";
import type { RequestMeter } from "../http/request-meter.js";

/**
 * Sends the call to the sandbox (test keys) or to the model's routes in order,
 * moving on to the next route only on retryable upstream failures that happen
 * before any byte reached the client. `meter.provider` names the route tried
 * last: the one that answered, or the one whose failure is thrown.
 *
 * A model with one route (the usual case) gets the adapter's own promise back,
 * with no async frame around it.
 */
export function routeCompletion(providers: ProviderRegistry, model: CatalogModel, call: Omit<ChatCall, "route">, sandbox: boolean, meter: RequestMeter): Promise<ChatResult> {
  if (sandbox) {
    meter.provider = SANDBOX_PROVIDER_ID;
    return providers.sandbox.chat({ ...call, route: { providerId: SANDBOX_PROVIDER_ID, upstreamModel: model.id } });
  }
  if (model.routes.length === 1) {
    const only = model.routes[0]!;
    const adapter = providers.adapterFor(only.providerId);
    if (adapter instanceof BentooError) return Promise.reject(adapter);
    meter.provider = only.providerId;
    try {
      return adapter.chat({ ...call, route: only });
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  return withFallback(providers, model, call, meter);
}

async function withFallback(providers: ProviderRegistry, model: CatalogModel, call: Omit<ChatCall, "route">, meter: RequestMeter): Promise<ChatResult> {
  let lastError: BentooError | null = null;
  for (const route of model.routes) {
    const adapter = providers.adapterFor(route.providerId);
    if (adapter instanceof BentooError) {
      lastError ??= adapter;
      continue;
    }
    meter.provider = route.providerId;
    try {
      return await adapter.chat({ ...call, route });
    } catch (error) {
      if (call.signal.aborted || !isRetryableUpstreamError(error)) throw error;
      lastError = error as BentooError;
    }
  }
  throw lastError ?? new BentooError("provider_not_configured", `No provider serves ${model.id}.`);
}
