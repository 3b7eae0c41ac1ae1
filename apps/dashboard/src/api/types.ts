import type {
  AuditEventName,
  AuditRecordJson,
  DashboardAccountJson,
  DashboardKeyJson,
  DashboardLimitsJson,
  IssuedKeyJson,
  ListJson,
  ModelJson,
  ModelListJson,
  RolledKeyJson,
  SessionJson,
  UsageBucketJson,
  UsageGranularity,
  UsageGroupBy as UsageGrouping,
  UsageJson,
  WebhookDeliveryJson,
  WebhookEndpointJson,
  WebhookEndpointWithSecretJson,
  WebhookEventType,
} from "@bentoo/api-types";

/**
 * The JSON the dashboard reads is the gateway's own definition
 * (@bentoo/api-types), under the names the pages use; timestamps are RFC 3339
 * strings, money is integer micro-dollars. Below them, the dashboard's
 * request-side types.
 */
export type { ApiKeyJson, AuditRecordType, KeyMode, KeyStatus, Plan } from "@bentoo/api-types";
export type Account = DashboardAccountJson;
export type AccountLimits = DashboardLimitsJson;
export type SessionResponse = SessionJson;
export type ListPage<Item> = ListJson<Item>;
/** A key as `/api/keys` lists it: with its recent request counts. */
export type ApiKey = DashboardKeyJson;
/** The one response that carries the full secret. */
export type IssuedKey = IssuedKeyJson;
export type RolledKey = RolledKeyJson;
export type AuditRecord = AuditRecordJson;
export type Granularity = UsageGranularity;
export type UsageGroupBy = UsageGrouping;
export type UsageBucket = UsageBucketJson;
export type UsageResponse = UsageJson;
export type Model = ModelJson;
export type ModelList = ModelListJson;
export type WebhookEndpoint = WebhookEndpointJson;
/** A new endpoint, or one whose secret was just rolled: the only answers with the secret. */
export type WebhookEndpointWithSecret = WebhookEndpointWithSecretJson;
export type WebhookDelivery = WebhookDeliveryJson;
export type { WebhookEventType };

/** The events an endpoint can subscribe to, with what each means, in the order the form offers them. */
export const WEBHOOK_EVENTS = [
  { type: "key.created", label: "A key was created" },
  { type: "key.rolled", label: "A key was rolled" },
  { type: "key.revoked", label: "A key was revoked" },
  { type: "key.expiring", label: "A key expires within 7 days" },
  { type: "key.spend_cap_reached", label: "A key reached its spend cap" },
  { type: "balance.low", label: "The balance fell below the low-balance threshold" },
  { type: "request.ip_blocked", label: "A request was refused by an IP allowlist" },
] as const satisfies ReadonlyArray<{ type: WebhookEventType; label: string }>;

/** Fails to compile while an event type of the shared definition is missing above. */
export type EveryWebhookEventOffered = Holds<Exclude<WebhookEventType, (typeof WEBHOOK_EVENTS)[number]["type"]> extends never ? true : false>;

export type GraceChoice = "none" | "1h" | "24h" | "7d" | "until_revoked";

/** Filters shared by the audit log list and its export. */
export interface AuditFilters {
  start?: string;
  end?: string;
  key_id?: string;
  model?: string;
  /** A route path such as `/v1/chat/completions`. */
  endpoint?: string;
  status?: string;
  event?: string;
}

/** The gateway's API routes, offered as suggestions for the endpoint filter (any path can be typed). */
export const GATEWAY_ENDPOINTS = [
  "/v1/chat/completions",
  "/v1/responses",
  "/v1/messages",
  "/v1/messages/count_tokens",
  "/v1/embeddings",
  "/v1/models",
] as const;

/** The audit events offered as filters: every event the gateway writes, checked against the shared definition. */
export const AUDIT_EVENTS = [
  "api.request",
  "key.created",
  "key.rolled",
  "key.renamed",
  "key.revoked",
  "key.allowlist_changed",
  "account.created",
  "account.signed_in",
  "account.sign_in_failed",
  "account.signed_out",
  "account.plan_changed",
  "account.limits_changed",
  "account.allowlist_changed",
  "account.low_balance_threshold_changed",
  "credits.granted",
  "webhook.created",
  "webhook.updated",
  "webhook.deleted",
  "webhook.secret_rolled",
] as const satisfies readonly AuditEventName[];

type Holds<Condition extends true> = Condition;
/** Fails to compile while an event of the shared definition is missing above. */
export type EveryAuditEventOffered = Holds<Exclude<AuditEventName, (typeof AUDIT_EVENTS)[number]> extends never ? true : false>;
