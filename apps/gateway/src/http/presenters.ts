import { MICROS_PER_USD, keyStatus, type Account, type ApiKeyRecord, type CatalogModel } from "@bentoo/core";

/** JSON shapes of the public API. Timestamps are RFC 3339; money is integer micro-dollars. */
export function isoOrNull(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}

export function presentModel(model: CatalogModel, available: boolean) {
  return {
    id: model.id,
    object: "model",
    created: model.created,
    owned_by: model.ownedBy,
    context_length: model.contextLength,
    max_output_tokens: model.maxOutputTokens,
    pricing: {
      currency: "USD",
      input_per_mtok: model.inputMicrosPerMtok / MICROS_PER_USD,
      output_per_mtok: model.outputMicrosPerMtok / MICROS_PER_USD,
    },
    providers: model.routes.map((route) => route.providerId),
    available,
  };
}

export function presentAccount(account: Account) {
  return {
    id: account.id,
    object: "account",
    email: account.email,
    plan: account.plan,
    rpm_limit: account.rpmLimit,
    tpm_limit: account.tpmLimit,
    balance_micros: account.balanceMicros,
    ip_allowlist: account.ipAllowlist,
    created_at: isoOrNull(account.createdAt),
  };
}

export function presentKey(key: ApiKeyRecord, now: number) {
  return {
    id: key.id,
    object: "api_key",
    key_id: key.last4,
    name: key.name,
    mode: key.mode,
    status: keyStatus(key, now),
    account_id: key.accountId,
    created_at: isoOrNull(key.createdAt),
    last_used_at: isoOrNull(key.lastUsedAt),
    expires_at: isoOrNull(key.expiresAt),
    revoked_at: isoOrNull(key.revokedAt),
    rolled_from: key.rolledFromId,
    ip_allowlist: key.ipAllowlist,
  };
}

/** A key right after creation: the only response that carries the full secret. */
export function presentIssuedKey(key: ApiKeyRecord, secret: string, now: number) {
  return { ...presentKey(key, now), key: secret };
}
