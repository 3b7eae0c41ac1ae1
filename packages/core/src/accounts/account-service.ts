import { type ActionContext, managementEvent, OPERATOR } from "../audit/events.js";
import type { AuditRecord } from "../audit/types.js";
import { BentooError } from "../errors.js";
import { isId } from "../ids.js";
import type { KeyInvalidation } from "../keys/key-service.js";
import { normalizeAllowlist } from "../network/ip-allowlist.js";
import type { AccountPatch, AccountStore } from "../ports.js";
import { type Plan, type PlanLimits, requireAllowlistAllowed } from "./plans.js";
import type { Account } from "./types.js";

/** Something, an @, a domain with a dot: catches the usual typos, as sign-up forms do; the mailbox itself is never verified here. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The longest address RFC 5321 allows, and the column's width. */
const MAX_EMAIL_LENGTH = 320;

/** Trimmed and lower-cased (emails are unique case-insensitively), or a 400 naming `email`. */
export function normalizeEmail(email: string): string {
  const normalized = email.trim().toLowerCase();
  if (normalized.length > MAX_EMAIL_LENGTH || !EMAIL.test(normalized)) {
    throw new BentooError("invalid_request", "email must be an email address such as ada@example.com.", { param: "email" });
  }
  return normalized;
}

export interface NewAccountInput {
  email: string;
  /** Hashed by the caller (the gateway owns the KDF); null = no dashboard sign-in. */
  passwordHash: string | null;
  /** Defaults to free. */
  plan?: Plan;
}

/**
 * The account lifecycle shared by the admin API, the CLI (through it), sign-up and
 * the dashboard: creation, plan, limits and the account's IP allowlist. Every
 * change commits with its management event, and reaches the key caches of every
 * instance (cached keys carry a snapshot of their account).
 */
export class AccountService {
  constructor(
    private readonly stores: { accounts: AccountStore },
    private readonly plans: Readonly<Record<Plan, PlanLimits>>,
    private readonly invalidation: KeyInvalidation,
    private readonly now: () => number = Date.now,
  ) {}

  /** An account created by the operator (admin API, CLI, first start). */
  async create(input: NewAccountInput, context: ActionContext = OPERATOR): Promise<Account> {
    const email = normalizeEmail(input.email);
    const account = await this.insert(email, input.passwordHash, input.plan ?? "free", () => context);
    if (account === null) throw new BentooError("conflict", `An account with the email ${email} already exists.`, { param: "email" });
    return account;
  }

  /** A dashboard sign-up: always the free plan, and the new account is the actor of its own first event. */
  async signUp(input: { email: string; passwordHash: string }, context: ActionContext): Promise<Account> {
    const email = normalizeEmail(input.email);
    const account = await this.insert(email, input.passwordHash, "free", (created) => ({ ...context, actor: `session:${created.id}` }));
    if (account === null) throw new BentooError("conflict", "An account with this email already exists; sign in instead.", { param: "email" });
    return account;
  }

  async require(accountId: string): Promise<Account> {
    const account = isId("account", accountId) ? await this.stores.accounts.get(accountId) : null;
    if (account === null) throw new BentooError("account_not_found", `No account with id ${accountId} exists.`, { param: "id" });
    return account;
  }

  /**
   * Changes the plan, the per-minute limits (null = the plan's), the account's IP
   * allowlist (null or [] clears it) or its low-balance threshold (null = none). An allowlist is checked against the plan the
   * account has after this change, so one call can move it to Enterprise and set one.
   */
  async update(accountId: string, changes: AccountPatch, context: ActionContext = OPERATOR): Promise<Account> {
    const account = await this.require(accountId);
    const patch: AccountPatch = { ...changes };
    if (changes.ipAllowlist !== undefined) {
      requireAllowlistAllowed({ id: account.id, plan: changes.plan ?? account.plan }, this.plans, changes.ipAllowlist, context);
      patch.ipAllowlist = normalizeAllowlist(changes.ipAllowlist);
    }
    const updated = await this.stores.accounts.update(account.id, patch, this.eventsOf(account, patch, context));
    if (updated === null) throw new BentooError("account_not_found", `No account with id ${account.id} exists.`, { param: "id" });
    await this.invalidation.accountChanged(account.id);
    return updated;
  }

  private insert(email: string, passwordHash: string | null, plan: Plan, contextOf: (account: Account) => ActionContext): Promise<Account | null> {
    return this.stores.accounts.create({ email, passwordHash, plan }, (account) => [
      managementEvent("account.created", contextOf(account), { accountId: account.id, metadata: { plan } }, this.now()),
    ]);
  }

  private eventsOf(account: Account, patch: AccountPatch, context: ActionContext): AuditRecord[] {
    const at = this.now();
    const accountId = account.id;
    const events: AuditRecord[] = [];
    if (patch.plan !== undefined && patch.plan !== account.plan) {
      events.push(managementEvent("account.plan_changed", context, { accountId, metadata: { from: account.plan, to: patch.plan } }, at));
    }
    if (patch.rpmLimit !== undefined || patch.tpmLimit !== undefined) {
      events.push(managementEvent("account.limits_changed", context, { accountId, metadata: { rpm_limit: patch.rpmLimit, tpm_limit: patch.tpmLimit } }, at));
    }
    if (patch.ipAllowlist !== undefined) {
      events.push(managementEvent("account.allowlist_changed", context, { accountId, metadata: { ip_allowlist: patch.ipAllowlist } }, at));
    }
    if (patch.lowBalanceThresholdMicros !== undefined) {
      events.push(
        managementEvent(
          "account.low_balance_threshold_changed",
          context,
          { accountId, metadata: { from: account.lowBalanceThresholdMicros, to: patch.lowBalanceThresholdMicros } },
          at,
        ),
      );
    }
    return events;
  }
}
