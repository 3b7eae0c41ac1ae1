import type {
  AccountJson,
  ApiKeyJson,
  IssuedKeyJson,
  KeySpendJson,
  ListJson,
  ModelJson,
  PublicModelJson,
  RolledKeyJson,
  SpendCapJson,
} from "@bentoo/api-types";
import { type Account, type ApiKeyRecord, type CatalogModel, keyStatus, MICROS_PER_USD, type Page, type SpendCap, type SpendWindow } from "@bentoo/core";

/**
 * The JSON of the gateway's own endpoints, typed by @bentoo/api-types (the shapes
 * the CLI and the dashboard read), so a presenter that drifts from them fails to
 * compile. Timestamps are RFC 3339; money is integer micro-dollars.
 */
export function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : iso(epochMs);
}

/** A page of a store's list, each item presented. */
export function presentList<Item, Json>(page: Page<Item>, present: (item: Item) => Json): ListJson<Json> {
  return { object: "list", data: page.items.map(present), has_more: page.nextCursor !== null, next_cursor: page.nextCursor };
}

/** USD per million tokens; a quotient of integers, so the JSON shows the catalog's decimal exactly. */
function presentPricing(model: CatalogModel): ModelJson["pricing"] {
  return {
    currency: "USD",
    input_per_mtok: model.inputMicrosPerMtok / MICROS_PER_USD,
    output_per_mtok: model.outputMicrosPerMtok / MICROS_PER_USD,
    ...(model.cacheReadMicrosPerMtok === null ? {} : { cache_read_per_mtok: model.cacheReadMicrosPerMtok / MICROS_PER_USD }),
    ...(model.cacheWriteMicrosPerMtok === null ? {} : { cache_write_per_mtok: model.cacheWriteMicrosPerMtok / MICROS_PER_USD }),
  };
}

export function presentModel(model: CatalogModel, available: boolean): ModelJson {
  return {
    id: model.id,
    object: "model",
    created: model.created,
    owned_by: model.ownedBy,
    kind: model.kind,
    context_length: model.contextLength,
    max_output_tokens: model.maxOutputTokens,
    pricing: presentPricing(model),
    dimensions: model.dimensions?.default ?? null,
    min_dimensions: model.dimensions?.min ?? null,
    providers: model.routes.map((route) => route.providerId),
    available,
  };
}

/** A model as the public docs list it: choice and price only, never how the server reaches it. */
export function presentPublicModel(model: CatalogModel): PublicModelJson {
  return {
    id: model.id,
    kind: model.kind,
    context_length: model.contextLength,
    max_output_tokens: model.maxOutputTokens,
    pricing: presentPricing(model),
  };
}

export function presentAccount(account: Account): AccountJson {
  return {
    id: account.id,
    object: "account",
    email: account.email,
    plan: account.plan,
    rpm_limit: account.rpmLimit,
    tpm_limit: account.tpmLimit,
    balance_micros: account.balanceMicros,
    ip_allowlist: account.ipAllowlist,
    low_balance_threshold_micros: account.lowBalanceThresholdMicros,
    created_at: iso(account.createdAt),
  };
}

export function presentKey(key: ApiKeyRecord, now: number): ApiKeyJson {
  return {
    id: key.id,
    object: "api_key",
    key_id: key.last4,
    name: key.name,
    mode: key.mode,
    status: keyStatus(key, now),
    account_id: key.accountId,
    created_at: iso(key.createdAt),
    last_used_at: isoOrNull(key.lastUsedAt),
    expires_at: isoOrNull(key.expiresAt),
    revoked_at: isoOrNull(key.revokedAt),
    rolled_from: key.rolledFromId,
    ip_allowlist: key.ipAllowlist,
    scopes: [...key.scopes],
    rpm_limit: key.rpmLimit,
    tpm_limit: key.tpmLimit,
    spend_cap: presentSpendCap(key.spendCap),
    models: key.models === null ? null : [...key.models],
  };
}

export function presentSpendCap(cap: SpendCap | null): SpendCapJson | null {
  return cap === null ? null : { amount_micros: cap.amountMicros, period: cap.period };
}

/** What a cap counted in its current window. */
export function presentSpend(cap: SpendCap, window: SpendWindow, spentMicros: number): KeySpendJson {
  return {
    spent_micros: spentMicros,
    remaining_micros: Math.max(0, cap.amountMicros - spentMicros),
    period_start: window.start === 0 ? null : iso(window.start),
    resets_at: isoOrNull(window.end),
  };
}

/** A key right after creation: the only response that carries the full secret. */
export function presentIssuedKey(key: ApiKeyRecord, secret: string, now: number): IssuedKeyJson {
  return { ...presentKey(key, now), key: secret };
}

/** A roll: the replacement, shown once with its secret, and what became of the old key. */
export function presentRolledKey(rolled: { replacement: { record: ApiKeyRecord; secret: string }; previous: ApiKeyRecord }, now: number): RolledKeyJson {
  return { ...presentIssuedKey(rolled.replacement.record, rolled.replacement.secret, now), previous_key: presentKey(rolled.previous, now) };
}
