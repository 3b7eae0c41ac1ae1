import { type Plan, type PlanLimits, requireAllowlistAllowed } from "../accounts/plans.js";
import { type Account, type ApiKeyRecord, keyStatus } from "../accounts/types.js";
import { type ActionContext, managementEvent, OPERATOR } from "../audit/events.js";
import { BentooError } from "../errors.js";
import { normalizeAllowlist } from "../network/ip-allowlist.js";
import type { AccountStore, KeyPatch, KeyStore } from "../ports.js";
import { generateApiKey, type KeyMode } from "./api-key.js";

/** Told about every change that must reach the key caches of all instances. */
export interface KeyInvalidation {
  keyChanged(keyId: string, hash: string): void | Promise<void>;
  accountChanged(accountId: string): void | Promise<void>;
}

export interface CreateKeyInput {
  name: string;
  mode: KeyMode;
  expiresAt?: number | null;
  /** Needs a plan that allows allowlists (checked here, on every surface); normalized before it is stored. */
  ipAllowlist?: string[] | null;
}

export interface KeyChanges {
  name?: string;
  /** null or [] clears it; a list needs a plan that allows allowlists. */
  ipAllowlist?: string[] | null;
}

export interface IssuedKey {
  record: ApiKeyRecord;
  /** The full secret: returned once, here, and never again. */
  secret: string;
}

/** Roll grace: seconds the old key keeps working, or null for "until it is revoked". */
export type GracePeriod = number | null;

/**
 * The key lifecycle shared by the account API, the admin API and the CLI:
 * create (within the plan's cap), rename, set the IP allowlist (on plans that
 * allow one), revoke, roll.
 */
export class KeyService {
  constructor(
    private readonly stores: { keys: KeyStore; accounts: AccountStore },
    private readonly plans: Readonly<Record<Plan, PlanLimits>>,
    private readonly invalidation: KeyInvalidation,
    private readonly now: () => number = Date.now,
  ) {}

  async create(account: Account, input: CreateKeyInput, options: { context?: ActionContext } = {}): Promise<IssuedKey> {
    if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt <= this.now()) {
      throw new BentooError("invalid_request", "expires_at must be in the future.", { param: "expires_at" });
    }
    const context = options.context ?? OPERATOR;
    const ipAllowlist = this.checkedAllowlist(account, input.ipAllowlist ?? null, context);
    const generated = generateApiKey(input.mode);
    const outcome = await this.stores.keys.create(
      {
        accountId: account.id,
        name: input.name,
        mode: input.mode,
        hash: generated.hash,
        last4: generated.last4,
        expiresAt: input.expiresAt ?? null,
        rolledFromId: null,
        ipAllowlist,
      },
      this.plans[account.plan].maxActiveKeys,
      (key) => [
        managementEvent(
          "key.created",
          context,
          {
            accountId: account.id,
            apiKeyId: key.id,
            keyLast4: key.last4,
            keyName: key.name,
            metadata: key.expiresAt === null ? { mode: key.mode } : { mode: key.mode, expires_at: key.expiresAt },
          },
          this.now(),
        ),
      ],
    );
    if (!outcome.created) throw planLimitReached(account.plan, outcome.limit, "create");
    // A negative cache entry for this hash may exist on some instance.
    await this.invalidation.keyChanged(outcome.key.id, generated.hash);
    return { record: outcome.key, secret: generated.key };
  }

  async requireKey(keyId: string, accountId?: string): Promise<ApiKeyRecord> {
    const key = await this.stores.keys.get(keyId);
    // Another account's key is reported exactly like a missing one: no existence leak.
    if (key === null || (accountId !== undefined && key.accountId !== accountId)) {
      throw new BentooError("key_not_found", `No API key with id ${keyId} exists on this account.`, { param: "id" });
    }
    return key;
  }

  async update(keyId: string, changes: KeyChanges, accountId?: string, context: ActionContext = OPERATOR): Promise<ApiKeyRecord> {
    const key = await this.requireKey(keyId, accountId);
    const patch: KeyPatch = {};
    if (changes.name !== undefined) patch.name = changes.name;
    if (changes.ipAllowlist !== undefined) patch.ipAllowlist = this.checkedAllowlist(await this.accountOf(key), changes.ipAllowlist, context);
    const fields = { accountId: key.accountId, apiKeyId: key.id, keyLast4: key.last4 };
    const events = [];
    if (patch.name !== undefined && patch.name !== key.name)
      events.push(managementEvent("key.renamed", context, { ...fields, keyName: patch.name, metadata: { previous_name: key.name } }, this.now()));
    if (patch.ipAllowlist !== undefined)
      events.push(
        managementEvent(
          "key.allowlist_changed",
          context,
          { ...fields, keyName: patch.name ?? key.name, metadata: { ip_allowlist: patch.ipAllowlist } },
          this.now(),
        ),
      );
    const updated = await this.stores.keys.update(keyId, patch, events);
    if (updated === null) throw new BentooError("key_not_found", `No API key with id ${keyId} exists.`, { param: "id" });
    await this.invalidate(updated.id);
    return updated;
  }

  async revoke(keyId: string, accountId?: string, context: ActionContext = OPERATOR): Promise<ApiKeyRecord> {
    const key = await this.requireKey(keyId, accountId);
    const event = managementEvent("key.revoked", context, { accountId: key.accountId, apiKeyId: key.id, keyLast4: key.last4, keyName: key.name }, this.now());
    const revoked = await this.stores.keys.revoke(keyId, this.now(), [event]);
    if (revoked === null) throw new BentooError("key_not_found", `No API key with id ${keyId} exists.`, { param: "id" });
    await this.invalidate(keyId);
    return revoked;
  }

  /**
   * Creates the replacement (same name, mode, allowlist and expiry) and lets the
   * old key work for `grace` more seconds: 0 ends it now, null leaves it until
   * revoked. The allowlist is copied as stored: a restriction outlives a
   * downgrade (docs/decisions.md). One transaction decides everything
   * (docs/plans.md): a key that
   * already has an active replacement is refused with 409 `key_already_rolled`,
   * and a roll may add a key that counts against the plan's cap only within it.
   */
  async roll(
    keyId: string,
    grace: GracePeriod,
    accountId?: string,
    context: ActionContext = OPERATOR,
  ): Promise<{ replacement: IssuedKey; previous: ApiKeyRecord }> {
    const old = await this.requireKey(keyId, accountId);
    const account = await this.accountOf(old);
    const generated = generateApiKey(old.mode);
    const at = this.now();
    const outcome = await this.stores.keys.roll(
      { keyId: old.id, accountId, hash: generated.hash, last4: generated.last4, graceMs: grace === null ? null : grace * 1000 },
      this.plans[account.plan].maxActiveKeys,
      (replacement, previous) => [
        managementEvent(
          "key.rolled",
          context,
          {
            accountId: previous.accountId,
            apiKeyId: previous.id,
            keyLast4: previous.last4,
            keyName: previous.name,
            metadata: { grace_seconds: grace, new_key_id: replacement.id, new_key_last4: replacement.last4 },
          },
          at,
        ),
      ],
    );
    if (!outcome.rolled) {
      switch (outcome.reason) {
        case "not_found":
          throw new BentooError("key_not_found", `No API key with id ${keyId} exists on this account.`, { param: "id" });
        case "not_active": {
          const status = keyStatus(outcome.key, at);
          throw new BentooError("invalid_request", `API key ${keyId} is ${status}; only an active key can be rolled.`, { param: "id" });
        }
        case "already_rolled":
          throw alreadyRolled(outcome.key, outcome.replacement);
        case "plan_limit_reached":
          throw planLimitReached(account.plan, outcome.limit, "roll");
      }
    }
    // A negative cache entry for the new hash may exist on some instance; the old key's entry carries its old expiry.
    await this.invalidation.keyChanged(outcome.replacement.id, generated.hash);
    await this.invalidate(old.id);
    return { replacement: { record: outcome.replacement, secret: generated.key }, previous: outcome.previous };
  }

  private async accountOf(key: ApiKeyRecord): Promise<Account> {
    const account = await this.stores.accounts.get(key.accountId);
    if (account === null) throw new BentooError("account_not_found", `The account of key ${key.id} no longer exists.`);
    return account;
  }

  /** The plan check and normalization every new or changed key allowlist goes through. */
  private checkedAllowlist(account: Account, allowlist: readonly string[] | null, context: ActionContext): string[] | null {
    requireAllowlistAllowed(account, this.plans, allowlist, context);
    return normalizeAllowlist(allowlist);
  }

  private async invalidate(keyId: string): Promise<void> {
    const hash = await this.stores.keys.hashOf(keyId);
    if (hash !== null) await this.invalidation.keyChanged(keyId, hash);
  }
}

function planLimitReached(plan: Plan, limit: number, action: "create" | "roll"): BentooError {
  const remedy =
    action === "create"
      ? "Revoke a key you no longer use, or move to the Pro plan for unlimited keys."
      : "A roll that keeps the old key until it is revoked needs a free slot: roll with a grace period instead, revoke a key you no longer use, or move to the Pro plan for unlimited keys.";
  return new BentooError("plan_limit_reached", `The ${plan} plan allows at most ${limit} active API keys, and this account has reached that limit. ${remedy}`);
}

function alreadyRolled(key: ApiKeyRecord, replacement: ApiKeyRecord): BentooError {
  const ends = key.expiresAt === null ? "keeps working until it is revoked" : `stops working at ${new Date(key.expiresAt).toISOString()}`;
  return new BentooError(
    "key_already_rolled",
    `API key ••••${key.last4} (${key.id}) was already rolled: its replacement ••••${replacement.last4} (${replacement.id}) is active, and this key ${ends}. Roll the replacement instead, or revoke this key to end it now.`,
    { param: "id" },
  );
}
