import { BentooError, type CatalogModel } from "@bentoo/core";
import { isRetryableUpstreamError, SANDBOX_PROVIDER_ID, type ChatCall, type ChatResult, type ProviderRegistry } from "@bentoo/providers";

export interface RoutedResult {
  result: ChatResult;
  providerId: string;
}

/**
 * Sends the call to the sandbox (test keys) or to the model's routes in order,
 * moving on to the next route only on retryable upstream failures that happen
 * before any byte reached the client.
 */
export async function routeCompletion(
  providers: ProviderRegistry,
  model: CatalogModel,
  call: Omit<ChatCall, "route">,
  sandbox: boolean,
  onAttempt: (providerId: string) => void = () => undefined,
): Promise<RoutedResult> {
  if (sandbox) {
    onAttempt(SANDBOX_PROVIDER_ID);
    const route = { providerId: SANDBOX_PROVIDER_ID, upstreamModel: model.id };
    return { result: await providers.sandbox.chat({ ...call, route }), providerId: SANDBOX_PROVIDER_ID };
  }
  let lastError: BentooError | null = null;
  for (const route of model.routes) {
    const adapter = providers.adapterFor(route.providerId);
    if (adapter instanceof BentooError) {
      lastError ??= adapter;
      continue;
    }
    onAttempt(route.providerId);
    try {
      return { result: await adapter.chat({ ...call, route }), providerId: route.providerId };
    } catch (error) {
      if (call.signal.aborted || !isRetryableUpstreamError(error)) throw error;
      lastError = error as BentooError;
    }
  }
  throw lastError ?? new BentooError("provider_not_configured", `No provider serves ${model.id}.`);
}
