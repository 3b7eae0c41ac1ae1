import { BentooError, type CatalogModel, type ModelRoute } from "@bentoo/core";
import { isRetryableUpstreamError, SANDBOX_PROVIDER_ID, type ChatCall, type ChatResult, type ProviderRegistry } from "@bentoo/providers";
import type { RequestMeter } from "../http/request-meter.js";

/**
 * The route a call starts on: the sandbox for test keys (which answers as the
 * catalog's model), else the model's first route.
 */
export function firstRoute(model: CatalogModel, sandbox: boolean): ModelRoute {
  return sandbox ? { providerId: SANDBOX_PROVIDER_ID, upstreamModel: model.id } : model.routes[0]!;
}

/**
 * Sends the call (built on `firstRoute`) to the sandbox (test keys) or to the
 * model's routes in order, moving on to the next route only on retryable
 * upstream failures that happen before any byte reached the client.
 * `meter.provider` names the route tried last: the one that answered, or the
 * one whose failure is thrown.
 *
 * A model with one route (the usual case) gets the adapter's own promise back,
 * with no async frame around it and no copy of the call.
 */
export function routeCompletion(providers: ProviderRegistry, call: ChatCall, sandbox: boolean, meter: RequestMeter): Promise<ChatResult> {
  if (sandbox) {
    meter.provider = SANDBOX_PROVIDER_ID;
    return providers.sandbox.chat(call);
  }
  if (call.model.routes.length === 1) {
    const adapter = providers.adapterFor(call.route.providerId);
    if (adapter instanceof BentooError) return Promise.reject(adapter);
    meter.provider = call.route.providerId;
    try {
      return adapter.chat(call);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  return withFallback(providers, call, meter);
}

async function withFallback(providers: ProviderRegistry, call: ChatCall, meter: RequestMeter): Promise<ChatResult> {
  const model = call.model;
  let lastError: BentooError | null = null;
  for (const route of model.routes) {
    const adapter = providers.adapterFor(route.providerId);
    if (adapter instanceof BentooError) {
      lastError ??= adapter;
      continue;
    }
    meter.provider = route.providerId;
    try {
      return await adapter.chat(route === call.route ? call : { ...call, route });
    } catch (error) {
      if (call.signal.aborted || !isRetryableUpstreamError(error)) throw error;
      lastError = error as BentooError;
    }
  }
  throw lastError ?? new BentooError("provider_not_configured", `No provider serves ${model.id}.`);
}
