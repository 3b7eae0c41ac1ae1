import { BentooError, type CatalogModel, type ModelRoute, type ProviderConfig } from "@bentoo/core";
import {
  type Answer,
  type Cancellation,
  ClientAbortedError,
  type EmbeddingCall,
  isRetryableUpstreamError,
  type JsonAnswer,
  type ProviderAdapter,
  type ProviderCall,
  type ProviderRegistry,
  SANDBOX_PROVIDER_ID,
  UpstreamError,
} from "@bentoo/providers";
import type { RequestMeter } from "./request-meter.js";

/** The first retry's wait when the provider did not say; each next one doubles it, with ±20 % jitter. */
const FIRST_BACKOFF_MS = 250;

/** What routing needs from a call of any kind: its catalog model (the routes) and its client's cancellation. */
interface RoutedCall {
  model: CatalogModel;
  cancellation: Cancellation;
}

/** One try of a call on one route: the adapter method the call's kind needs. */
type Attempt<Call, Result> = (adapter: ProviderAdapter, call: Call, route: ModelRoute) => Promise<Result>;

/** Waits `ms`, or until the client goes away (then rejects with ClientAbortedError). */
function pause(ms: number, call: RoutedCall): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    call.cancellation.onCancel(() => {
      clearTimeout(timer);
      reject(new ClientAbortedError());
    });
  });
}

/**
 * One route, asked again after a transient failure (a 429, a 5xx, a refused
 * connection) up to the provider's `maxRetries` times, waiting what the
 * provider's Retry-After said or an exponential backoff, as long as all the
 * waits fit in its `maxRetryWaitMs`; otherwise the failure goes to the caller,
 * which moves on to the next route.
 */
async function sendWithRetries<Call extends RoutedCall, Result>(
  send: Attempt<Call, Result>,
  adapter: ProviderAdapter,
  provider: ProviderConfig | undefined,
  call: Call,
  route: ModelRoute,
): Promise<Result> {
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send(adapter, call, route);
    } catch (error) {
      if (provider === undefined || attempt >= provider.maxRetries || !(error instanceof UpstreamError) || !error.transient) throw error;
      const backoff = FIRST_BACKOFF_MS * 2 ** attempt * (0.8 + Math.random() * 0.4);
      const wait = Math.ceil(error.retryAfterMs ?? backoff);
      if (waited + wait > provider.maxRetryWaitMs || call.cancellation.cancelled) throw error;
      await pause(wait, call);
      waited += wait;
    }
  }
}

/**
 * Sends the call to the sandbox (test keys) or to the model's routes in order,
 * each retried on transient failures (sendWithRetries), moving on to the next
 * route only on a retryable upstream failure before any byte reached the
 * client (an unconfigured provider, an unreachable one, a 5xx, a 429).
 * `meter.provider` names the route tried last: the one that answered, or the
 * one whose failure is thrown (none when no provider was tried). `send` is the
 * adapter method for the call's kind (a chat answer, embeddings).
 */
async function routeWith<Call extends RoutedCall, Result>(
  providers: ProviderRegistry,
  catalog: ReadonlyMap<string, ProviderConfig>,
  call: Call,
  sandbox: boolean,
  meter: RequestMeter,
  send: Attempt<Call, Result>,
): Promise<Result> {
  if (sandbox) {
    meter.provider = SANDBOX_PROVIDER_ID;
    return send(providers.sandbox, call, { providerId: SANDBOX_PROVIDER_ID, upstreamModel: call.model.id });
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
      return await sendWithRetries(send, adapter, catalog.get(route.providerId), call, route);
    } catch (error) {
      if (call.cancellation.cancelled || !isRetryableUpstreamError(error)) throw error;
      lastError = error as BentooError;
    }
  }
  throw lastError ?? new BentooError("provider_not_configured", `No provider serves ${call.model.id}.`);
}

/** A chat call (any chat client API): routeWith the adapters' `send`. */
export function routeCall(
  providers: ProviderRegistry,
  catalog: ReadonlyMap<string, ProviderConfig>,
  call: ProviderCall,
  sandbox: boolean,
  meter: RequestMeter,
): Promise<Answer> {
  return routeWith(providers, catalog, call, sandbox, meter, (adapter, routed, route) => adapter.send(routed, route));
}

/**
 * An embeddings call: routeWith the adapters' `embed`. The catalog routes
 * embedding models only to provider types that embed; an adapter without
 * `embed` is refused like a request its type cannot carry (the next route is tried).
 */
export function routeEmbedding(
  providers: ProviderRegistry,
  catalog: ReadonlyMap<string, ProviderConfig>,
  call: EmbeddingCall,
  sandbox: boolean,
  meter: RequestMeter,
): Promise<JsonAnswer> {
  return routeWith(providers, catalog, call, sandbox, meter, (adapter, routed, route) => {
    if (adapter.embed === undefined)
      throw new UpstreamError("invalid_request", `provider "${adapter.providerId}" cannot serve embedding models; use another route.`, true);
    return adapter.embed(routed, route);
  });
}
