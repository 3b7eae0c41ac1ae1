import { type ActionContext, managementEvent, OPERATOR } from "../audit/events.js";
import { BentooError } from "../errors.js";
import { isId } from "../ids.js";
import type { Page } from "../ports.js";
import { checkEndpointAddresses, type EndpointAddressPolicy, hostAddressLiteral } from "./endpoint-address.js";
import { parseEndpointUrl } from "./endpoint-url.js";
import type { WebhookEventType } from "./event-types.js";
import { generateWebhookSecret } from "./secret.js";
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointPatch, WebhookStore } from "./types.js";

/** The addresses a host name resolves to (all of them); rejects when it does not resolve. */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** Endpoints one account may register, as Stripe allows 16. */
export const MAX_WEBHOOK_ENDPOINTS = 16;
/** The longest a rolled secret may stay valid. */
export const MAX_SECRET_GRACE_SECONDS = 7 * 86_400;
/** How long a rolled secret stays valid when the roll does not say. */
export const DEFAULT_SECRET_GRACE_SECONDS = 86_400;

export interface NewEndpointInput {
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  enabled: boolean;
}

export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  /** The signing secret: returned here (creation and roll) and never again. */
  secret: string;
}

export interface WebhookServiceOptions {
  policy: EndpointAddressPolicy;
  resolveHost: HostResolver;
  now?: () => number;
}

/**
 * Webhook endpoints of an account, shared by the account API, the admin API and
 * the dashboard: registration (URL and address rules, a cap per account),
 * changes, secret rolls, deletion, the delivery log and redelivery. Every change
 * commits with its management event. Another account's endpoint reads as
 * missing.
 */
export class WebhookService {
  readonly #now: () => number;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: WebhookServiceOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  async create(accountId: string, input: NewEndpointInput, context: ActionContext = OPERATOR): Promise<EndpointWithSecret> {
    const url = await this.checkedUrl(input.url);
    const secret = generateWebhookSecret();
    const endpoint = await this.store.create({ accountId, ...input, url, secret }, MAX_WEBHOOK_ENDPOINTS, (created) => [
      managementEvent("webhook.created", context, { accountId, metadata: { webhook_id: created.id, url, event_types: created.eventTypes } }, this.#now()),
    ]);
    if (endpoint === null) {
      throw new BentooError(
        "webhook_limit_reached",
        `An account may register at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints. Delete one you no longer use, or subscribe an existing endpoint to more event types.`,
      );
    }
    return { endpoint, secret };
  }

  list(accountId: string): Promise<WebhookEndpoint[]> {
    return this.store.listByAccount(accountId);
  }

  async require(accountId: string, endpointId: string): Promise<WebhookEndpoint> {
    const endpoint = isId("webhookEndpoint", endpointId) ? await this.store.get(endpointId) : null;
    if (endpoint === null || endpoint.accountId !== accountId) {
      throw new BentooError("webhook_endpoint_not_found", `No webhook endpoint with id ${endpointId} exists on this account.`, { param: "id" });
    }
    return endpoint;
  }

  async update(accountId: string, endpointId: string, changes: WebhookEndpointPatch, context: ActionContext = OPERATOR): Promise<WebhookEndpoint> {
    const endpoint = await this.require(accountId, endpointId);
    const patch: WebhookEndpointPatch = { ...changes };
    if (changes.url !== undefined) patch.url = await this.checkedUrl(changes.url);
    const at = this.#now();
    const event = managementEvent("webhook.updated", context, { accountId, metadata: { webhook_id: endpoint.id, ...changedFields(patch) } }, at);
    const updated = await this.store.update(endpoint.id, patch, at, [event]);
    if (updated === null) throw notFound(endpointId);
    return updated;
  }

  /** A new secret; the old one keeps signing deliveries (a second signature) for `graceSeconds`, 0 = not at all. */
  async rollSecret(accountId: string, endpointId: string, graceSeconds: number, context: ActionContext = OPERATOR): Promise<EndpointWithSecret> {
    const endpoint = await this.require(accountId, endpointId);
    const at = this.#now();
    const secret = generateWebhookSecret();
    const previousExpiresAt = graceSeconds > 0 ? at + graceSeconds * 1000 : null;
    const event = managementEvent("webhook.secret_rolled", context, { accountId, metadata: { webhook_id: endpoint.id, grace_seconds: graceSeconds } }, at);
    const rolled = await this.store.rollSecret(endpoint.id, secret, previousExpiresAt, at, [event]);
    if (rolled === null) throw notFound(endpointId);
    return { endpoint: rolled, secret };
  }

  async delete(accountId: string, endpointId: string, context: ActionContext = OPERATOR): Promise<WebhookEndpoint> {
    const endpoint = await this.require(accountId, endpointId);
    const event = managementEvent("webhook.deleted", context, { accountId, metadata: { webhook_id: endpoint.id, url: endpoint.url } }, this.#now());
    if (!(await this.store.delete(endpoint.id, [event]))) throw notFound(endpointId);
    return endpoint;
  }

  async deliveries(accountId: string, endpointId: string, page: { limit: number; cursor?: string | null }): Promise<Page<WebhookDelivery>> {
    const endpoint = await this.require(accountId, endpointId);
    return this.store.listDeliveries(endpoint.id, page);
  }

  /** Sends a delivery again (same `webhook-id`), now, with a fresh retry series. */
  async redeliver(accountId: string, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await this.require(accountId, endpointId);
    const delivery = isId("webhookDelivery", deliveryId) ? await this.store.getDelivery(deliveryId) : null;
    if (delivery === null || delivery.endpointId !== endpoint.id) {
      throw new BentooError("webhook_delivery_not_found", `No delivery with id ${deliveryId} exists for webhook endpoint ${endpoint.id}.`, {
        param: "delivery_id",
      });
    }
    const outcome = await this.store.redeliver(delivery.id, this.#now());
    if (outcome.redelivered) return outcome.delivery;
    if (outcome.reason === "in_flight")
      throw new BentooError("conflict", `Delivery ${delivery.id} is being attempted right now; wait for its outcome, then redeliver it if it failed.`, {
        param: "delivery_id",
      });
    throw new BentooError("webhook_delivery_not_found", `No delivery with id ${deliveryId} exists.`, { param: "delivery_id" });
  }

  /** The URL as stored, once its syntax and every address its host resolves to pass the operator's policy. */
  private async checkedUrl(text: string): Promise<string> {
    const url = parseEndpointUrl(text, this.options.policy);
    const literal = hostAddressLiteral(url.hostname);
    let addresses: string[];
    if (literal !== null) addresses = [literal];
    else {
      try {
        addresses = await this.options.resolveHost(url.hostname);
      } catch {
        throw new BentooError("invalid_request", `url: the host ${url.hostname} could not be resolved; check its spelling and DNS, then try again.`, {
          param: "url",
        });
      }
    }
    checkEndpointAddresses(url, addresses, this.options.policy);
    return url.href;
  }
}

function notFound(endpointId: string): BentooError {
  return new BentooError("webhook_endpoint_not_found", `No webhook endpoint with id ${endpointId} exists.`, { param: "id" });
}

/** A patch as its event records it (snake_case). */
function changedFields(patch: WebhookEndpointPatch): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (patch.url !== undefined) fields.url = patch.url;
  if (patch.description !== undefined) fields.description = patch.description;
  if (patch.eventTypes !== undefined) fields.event_types = patch.eventTypes;
  if (patch.enabled !== undefined) fields.enabled = patch.enabled;
  return fields;
}
