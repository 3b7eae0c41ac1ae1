import type { WebhookEventType as WireEventType } from "@bentoo/api-types";

/** Every event an endpoint can subscribe to, in the order the dashboard offers them (docs/webhooks.md). */
export const WEBHOOK_EVENT_TYPES = [
  "key.created",
  "key.rolled",
  "key.revoked",
  "key.expiring",
  "key.spend_cap_reached",
  "balance.low",
  "request.ip_blocked",
] as const satisfies readonly WireEventType[];

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

type Holds<Condition extends true> = Condition;
/** Fails to compile while the wire's event types (@bentoo/api-types) and this list differ. */
export type WebhookEventTypesMatchTheWire = Holds<Exclude<WireEventType, WebhookEventType> extends never ? true : false>;

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === "string" && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
