import {
  BentooError,
  type Catalog,
  type CreateKeyInput,
  type GracePeriod,
  invalid,
  isJsonObject,
  type JsonObject,
  KEY_MODES,
  type KeyChanges,
  type KeyControls,
  modelAllowed,
  normalizeModelPatterns,
  normalizeScopes,
  optionalEnum,
  optionalInteger,
  optionalStringList,
  rejectUnknownMembers,
  requireString,
  SPEND_PERIODS,
  type SpendCap,
} from "@bentoo/core";

/**
 * The bodies of key creation and change, shared by the admin API and the
 * dashboard's account API (docs/keys.md): strict (an unknown member is a 400
 * naming it), and every control checked here, at the boundary.
 */

/** The members `PATCH …/keys/{id}` takes. */
export const KEY_CHANGE_FIELDS = ["name", "ip_allowlist", "expires_at", "scopes", "rpm_limit", "tpm_limit", "spend_cap", "models"] as const;
/** The members key creation takes: a change's, and the mode. */
export const KEY_CREATE_FIELDS = [...KEY_CHANGE_FIELDS, "mode"] as const;

/** The largest per-minute limit the limiter represents exactly. */
const MAX_LIMIT = 1_000_000_000;
/** The largest spend cap: a billion dollars, far inside exact integer arithmetic. */
const MAX_CAP_MICROS = 1_000_000_000_000_000;
const MAX_GRACE_SECONDS = 30 * 24 * 3600;

export function parseExpiry(body: JsonObject): number | null {
  const value = body.expires_at;
  if (value === undefined || value === null) return null;
  const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at))
    throw new BentooError("invalid_request", "expires_at must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z, or null.", { param: "expires_at" });
  return at;
}

export function parseGrace(body: JsonObject): GracePeriod {
  if (body.grace_seconds === null) return null;
  return optionalInteger(body, "grace_seconds", { min: 0, max: MAX_GRACE_SECONDS }) ?? 0;
}

function parseLimit(body: JsonObject, param: "rpm_limit" | "tpm_limit"): number | null {
  return optionalInteger(body, param, { min: 1, max: MAX_LIMIT }) ?? null;
}

function parseSpendCap(body: JsonObject): SpendCap | null {
  const value = body.spend_cap;
  if (value === null) return null;
  if (!isJsonObject(value))
    throw invalid("spend_cap", 'spend_cap must be an object such as {"amount_micros": 20000000, "period": "month"}, or null to remove the cap.');
  rejectUnknownMembers(value, ["amount_micros", "period"], "spend_cap");
  const amount = value.amount_micros;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0 || amount > MAX_CAP_MICROS)
    throw invalid("spend_cap.amount_micros", `spend_cap.amount_micros must be an integer of micro-dollars from 0 to ${MAX_CAP_MICROS} (1 USD = 1000000).`);
  const period = value.period;
  if (typeof period !== "string" || !(SPEND_PERIODS as readonly string[]).includes(period))
    throw invalid("spend_cap.period", `spend_cap.period must be one of ${SPEND_PERIODS.join(", ")}.`);
  return { amountMicros: amount, period: period as SpendCap["period"] };
}

/** Model patterns, each of which must match a model of the catalog: a pattern that matches none is a typo, not a restriction. */
function parseModels(body: JsonObject, catalog: Catalog): string[] | null {
  const list = optionalStringList(body, "models", { maxItems: 1000 });
  if (list === undefined || list === null) return null;
  const patterns = normalizeModelPatterns(list);
  for (const pattern of patterns) {
    if (!catalog.modelList.some((model) => modelAllowed([pattern], model.id)))
      throw invalid(
        "models",
        `models: "${pattern}" matches no model of this server's catalog; GET /v1/models lists them (a pattern such as anthropic/* ends in *).`,
      );
  }
  return patterns;
}

/** The controls present in `body` (absent members stay absent; null clears). */
function parseControls(body: JsonObject, catalog: Catalog): KeyControls {
  const controls: KeyControls = {};
  if ("scopes" in body) {
    const scopes = optionalStringList(body, "scopes", { maxItems: 10 });
    if (scopes === null || scopes === undefined) throw invalid("scopes", 'scopes must be a list such as ["inference", "key:read"].');
    controls.scopes = normalizeScopes(scopes);
  }
  if ("rpm_limit" in body) controls.rpmLimit = parseLimit(body, "rpm_limit");
  if ("tpm_limit" in body) controls.tpmLimit = parseLimit(body, "tpm_limit");
  if ("spend_cap" in body) controls.spendCap = parseSpendCap(body);
  if ("models" in body) controls.models = parseModels(body, catalog);
  return controls;
}

/** `POST …/keys`: name, mode (default live), and optionally expiry, allowlist and controls. */
export function parseNewKey(body: JsonObject, catalog: Catalog): CreateKeyInput {
  rejectUnknownMembers(body, KEY_CREATE_FIELDS);
  const input: CreateKeyInput = {
    name: requireString(body, "name", { maxLength: 200 }),
    mode: optionalEnum(body, "mode", KEY_MODES) ?? "live",
    expiresAt: parseExpiry(body),
    controls: parseControls(body, catalog),
  };
  const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
  if (allowlist !== undefined) input.ipAllowlist = allowlist;
  return input;
}

/** `PATCH …/keys/{id}`: any of name, allowlist, expiry and controls. */
export function parseKeyChanges(body: JsonObject, catalog: Catalog): KeyChanges {
  rejectUnknownMembers(body, KEY_CHANGE_FIELDS);
  const changes: KeyChanges = parseControls(body, catalog);
  if ("name" in body) changes.name = requireString(body, "name", { maxLength: 200 });
  const allowlist = optionalStringList(body, "ip_allowlist", { maxItems: 1000 });
  if (allowlist !== undefined) changes.ipAllowlist = allowlist;
  if ("expires_at" in body) changes.expiresAt = parseExpiry(body);
  return changes;
}
