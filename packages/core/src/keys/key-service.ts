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

  async create(
    account: Account,
    input: CreateKeyInput,
    options: { enforceCap?: boolean; rolledFromId?: string; context?: ActionContext } = {},
  ): Promise<IssuedKey> {
    if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt <= this.now()) {
      throw new BentooError("invalid_request", "expires_at must be in the future.", { param: "expires_at" });
    }
    const context = options.context ?? OPERATOR;
    // A roll copies the old key's list as stored: a restriction outlives a downgrade (docs/decisions.md).
    const ipAllowlist = options.rolledFromId === undefined ? this.checkedAllowlist(account, input.ipAllowlist ?? null, context) : (input.ipAllowlist ?? null);
    const generated = generateApiKey(input.mode);
    const cap = options.enforceCap === false ? null : this.plans[account.plan].maxActiveKeys;
    const outcome = await this.stores.keys.create(
      {
        accountId: account.id,
        name: input.name,
        mode: input.mode,
        hash: generated.hash,
        last4: generated.last4,
        expiresAt: input.expiresAt ?? null,
        rolledFromId: options.rolledFromId ?? null,
        ipAllowlist,
      },
      cap,
      (key) =>
        options.rolledFromId === undefined
          ? [
              managementEvent(
                "key.created",
                context,
                { accountId: account.id, apiKeyId: key.id, keyLast4: key.last4, keyName: key.name, metadata: { mode: key.mode } },
                this.now(),
              ),
            ]
          : [],
    );
    if (!outcome.created) {
      throw new BentooError(
        "plan_limit_reached",
        `The ${account.plan} plan allows at most ${outcome.limit} active API keys, and this account has reached that limit. Revoke a key you no longer use, or move to the Pro plan for unlimited keys.`,
      );
    }
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
   * Creates the replacement (same name, mode and allowlist) and lets the old key
   * work for `grace` more seconds: 0 ends it now, null leaves it until revoked.
   */
  async roll(
    keyId: string,
    grace: GracePeriod,
    accountId?: string,
    context: ActionContext = OPERATOR,
  ): Promise<{ replacement: IssuedKey; previous: ApiKeyRecord }> {
    const old = await this.requireKey(keyId, accountId);
    const at = this.now();
    if (keyStatus(old, at) !== "active")
      throw new BentooError("invalid_request", `API key ${keyId} is ${keyStatus(old, at)}; only an active key can be rolled.`, { param: "id" });
    const account = await this.accountOf(old);
    const replacement = await this.create(
      account,
      { name: old.name, mode: old.mode, ipAllowlist: old.ipAllowlist, expiresAt: old.expiresAt },
      // The old key is on its way out, so the replacement may exceed the cap while both live.
      { enforceCap: grace === null, rolledFromId: old.id, context },
    );
    const rolled = managementEvent(
      "key.rolled",
      context,
      {
        accountId: old.accountId,
        apiKeyId: old.id,
        keyLast4: old.last4,
        keyName: old.name,
        metadata: { grace_seconds: grace, new_key_id: replacement.record.id, new_key_last4: replacement.record.last4 },
      },
      at,
    );
    let previous = old;
    if (grace === 0) previous = (await this.stores.keys.revoke(old.id, at, [rolled])) ?? old;
    else {
      const endsAt = grace === null ? null : at + grace * 1000;
      const shorten = endsAt !== null && (old.expiresAt === null || old.expiresAt > endsAt);
      previous = (await this.stores.keys.update(old.id, shorten ? { expiresAt: endsAt } : {}, [rolled])) ?? old;
    }
    await this.invalidate(old.id);
    return { replacement, previous };
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
