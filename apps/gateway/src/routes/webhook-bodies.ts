import {
  DEFAULT_SECRET_GRACE_SECONDS,
  invalid,
  isWebhookEventType,
  type JsonObject,
  MAX_ENDPOINT_URL_LENGTH,
  MAX_SECRET_GRACE_SECONDS,
  type NewEndpointInput,
  optionalBoolean,
  optionalInteger,
  optionalString,
  rejectUnknownMembers,
  requireString,
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpointPatch,
  type WebhookEventType,
} from "@bentoo/core";

/** The members of an endpoint's creation; a patch takes any of them. */
const ENDPOINT_MEMBERS = ["url", "description", "event_types", "enabled"] as const;
const MAX_DESCRIPTION_LENGTH = 500;

/** A non-empty list of known event types, each once, in the order given. */
function eventTypesOf(body: JsonObject): WebhookEventType[] {
  const value = body.event_types;
  const expected = `event_types must be a non-empty list of event types: ${WEBHOOK_EVENT_TYPES.join(", ")}.`;
  if (!Array.isArray(value) || value.length === 0) throw invalid("event_types", expected);
  const unknown = value.find((entry) => !isWebhookEventType(entry));
  if (unknown !== undefined) throw invalid("event_types", `Unknown event type ${JSON.stringify(unknown)}. ${expected}`);
  return [...new Set(value as WebhookEventType[])];
}

function descriptionOf(body: JsonObject): string | null {
  return optionalString(body, "description", { maxLength: MAX_DESCRIPTION_LENGTH }) ?? null;
}

/** `POST …/webhooks` `{url, description?, event_types, enabled?}`; unknown members are refused. */
export function parseEndpointCreate(body: JsonObject): NewEndpointInput {
  rejectUnknownMembers(body, ENDPOINT_MEMBERS);
  return {
    url: requireString(body, "url", { maxLength: MAX_ENDPOINT_URL_LENGTH }),
    description: descriptionOf(body),
    eventTypes: eventTypesOf(body),
    enabled: optionalBoolean(body, "enabled") ?? true,
  };
}

/** `PATCH …/webhooks/{id}`: at least one of the creation's members; `description: null` clears it. */
export function parseEndpointPatch(body: JsonObject): WebhookEndpointPatch {
  rejectUnknownMembers(body, ENDPOINT_MEMBERS);
  const patch: WebhookEndpointPatch = {};
  if ("url" in body) patch.url = requireString(body, "url", { maxLength: MAX_ENDPOINT_URL_LENGTH });
  if ("description" in body) patch.description = descriptionOf(body);
  if ("event_types" in body) patch.eventTypes = eventTypesOf(body);
  if ("enabled" in body) {
    const enabled = optionalBoolean(body, "enabled");
    if (enabled === undefined) throw invalid("enabled", "enabled must be true or false.");
    patch.enabled = enabled;
  }
  if (Object.keys(patch).length === 0) throw invalid("url", `Send at least one of: ${ENDPOINT_MEMBERS.join(", ")}.`);
  return patch;
}

/** `POST …/roll-secret` `{grace_seconds?}`: seconds the old secret still signs, default a day. */
export function parseSecretRoll(body: JsonObject): number {
  rejectUnknownMembers(body, ["grace_seconds"]);
  return optionalInteger(body, "grace_seconds", { min: 0, max: MAX_SECRET_GRACE_SECONDS }) ?? DEFAULT_SECRET_GRACE_SECONDS;
}

/** The largest low-balance threshold accepted: a million dollars. */
const MAX_THRESHOLD_MICROS = 1_000_000_000_000;

/** `low_balance_threshold_micros`: an integer of micro-dollars, or null for no alert. Undefined when absent. */
export function parseLowBalanceThreshold(body: JsonObject): number | null | undefined {
  if (!("low_balance_threshold_micros" in body)) return undefined;
  if (body.low_balance_threshold_micros === null) return null;
  const value = optionalInteger(body, "low_balance_threshold_micros", { min: 0, max: MAX_THRESHOLD_MICROS });
  if (value === undefined) throw invalid("low_balance_threshold_micros", "low_balance_threshold_micros must be an integer of micro-dollars, or null.");
  return value;
}
