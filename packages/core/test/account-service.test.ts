import {
  AccountService,
  type ActionContext,
  type AuditEvent,
  BentooError,
  DEFAULT_PLAN_LIMITS,
  KeyCache,
  type KeyInvalidation,
  KeyService,
  KeyVerifier,
  managementEvent,
  OPERATOR,
  type Plan,
} from "@bentoo/core";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SESSION: ActionContext = { actor: "session:acct_holder", requestId: "req_1", sourceIp: "192.0.2.1", userAgent: "test" };

/** The services as the gateway builds them, on real storage, with an in-process key cache. */
describe.each(storageTargets())("AccountService on $name", (target) => {
  let opened: OpenedStorage;
  let accounts: AccountService;
  let keys: KeyService;
  let verifier: KeyVerifier;
  let clock = 1_700_000_000_000;
  const now = () => clock;
  let serial = 0;
  const email = () => {
    serial += 1;
    return `user${serial}@example.com`;
  };

  beforeAll(async () => {
    opened = await target.open({ now });
    const cache = new KeyCache({ maxEntries: 100, ttlMs: 60_000, negativeTtlMs: 1_000 }, now);
    const invalidation: KeyInvalidation = { keyChanged: (_keyId, hash) => cache.delete(hash), accountChanged: (accountId) => cache.deleteAccount(accountId) };
    accounts = new AccountService(opened.storage, DEFAULT_PLAN_LIMITS, invalidation, now);
    keys = new KeyService(opened.storage, DEFAULT_PLAN_LIMITS, invalidation, now);
    verifier = new KeyVerifier((hash) => opened.storage.keys.findByHash(hash), cache, now);
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  const eventsOf = async (accountId: string, event?: AuditEvent) =>
    (await opened.storage.audit.query({ accountId, type: "event", limit: 100, ...(event === undefined ? {} : { event }) })).records;

  const refusal = async (attempt: Promise<unknown>): Promise<BentooError> => {
    const error = await attempt.then(
      () => null,
      (caught: unknown) => caught,
    );
    if (!(error instanceof BentooError)) throw new Error(`expected a BentooError, got ${String(error)}`);
    return error;
  };

  const accountOn = async (plan: Plan) => accounts.create({ email: email(), passwordHash: null, plan });

  describe("creation", () => {
    it("normalises the email, defaults to the free plan, and writes account.created with the account", async () => {
      const account = await accounts.create({ email: "  Grace.Hopper@Example.COM ", passwordHash: null }, { ...OPERATOR, requestId: "req_create" });
      expect(account).toMatchObject({ email: "grace.hopper@example.com", plan: "free", balanceMicros: 0, ipAllowlist: null });
      expect(await opened.storage.accounts.getByEmail("grace.hopper@example.com")).toEqual(account);
      const events = await eventsOf(account.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ event: "account.created", actor: "operator", requestId: "req_create", metadata: { plan: "free" }, timestamp: clock });
    });

    it("a sign-up is on the free plan and its account is the actor of its own first event", async () => {
      const account = await accounts.signUp({ email: email(), passwordHash: "hash" }, { actor: "operator", sourceIp: "198.51.100.7" });
      expect(account.plan).toBe("free");
      expect(await opened.storage.accounts.passwordHashOf(account.email)).toBe("hash");
      expect(await eventsOf(account.id)).toMatchObject([{ event: "account.created", actor: `session:${account.id}`, sourceIp: "198.51.100.7" }]);
    });

    it("a taken email is 409 conflict on both paths, case-insensitively, and adds neither an account nor an event", async () => {
      const first = await accounts.create({ email: "taken@example.com", passwordHash: null, plan: "pro" });
      const before = await opened.storage.accounts.count();
      const operator = await refusal(accounts.create({ email: "TAKEN@example.com", passwordHash: null }));
      expect(operator).toMatchObject({ code: "conflict", status: 409, param: "email", message: "An account with the email taken@example.com already exists." });
      const signUp = await refusal(accounts.signUp({ email: "taken@example.com", passwordHash: "hash" }, SESSION));
      expect(signUp).toMatchObject({ code: "conflict", message: "An account with this email already exists; sign in instead." });
      expect(await opened.storage.accounts.count()).toBe(before);
      expect(await eventsOf(first.id)).toHaveLength(1);
      expect(await opened.storage.accounts.get(first.id)).toMatchObject({ plan: "pro" });
    });

    it("concurrent creations of one email: exactly one account, one event, the others 409", async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => accounts.create({ email: "race@example.com", passwordHash: null })));
      const created = outcomes.filter((outcome) => outcome.status === "fulfilled");
      expect(created).toHaveLength(1);
      for (const outcome of outcomes) if (outcome.status === "rejected") expect(outcome.reason).toMatchObject({ code: "conflict" });
      const account = await opened.storage.accounts.getByEmail("race@example.com");
      expect(await eventsOf(account!.id, "account.created")).toHaveLength(1);
    });

    it("refuses an address that is not one, before anything is written", async () => {
      const before = await opened.storage.accounts.count();
      for (const bad of ["no-at-sign", "two@@example.com", "nodot@localhost", "spa ce@example.com", `${"a".repeat(310)}@example.com`]) {
        expect(await refusal(accounts.create({ email: bad, passwordHash: null }))).toMatchObject({ code: "invalid_request", param: "email" });
      }
      expect(await opened.storage.accounts.count()).toBe(before);
    });

    it("account.created commits with the account or not at all: an event the database refuses leaves no account", async () => {
      const address = email();
      // A record the database refuses (its NOT NULL event column), written in the account's transaction.
      const refused = opened.storage.accounts.create({ email: address, passwordHash: null, plan: "free" }, (account) => [
        Object.assign(managementEvent("account.created", OPERATOR, { accountId: account.id }, clock), { event: null }),
      ]);
      await expect(refused).rejects.toThrow();
      expect(await opened.storage.accounts.getByEmail(address)).toBeNull();
      // The email is still free: the failed creation took nothing.
      expect((await accounts.create({ email: address, passwordHash: null })).email).toBe(address);
    });
  });

  describe("updates", () => {
    it("plan and limits change with their events in the same write, and cached keys see the new account at once", async () => {
      const account = await accountOn("free");
      const issued = await keys.create(account, { name: "cached", mode: "test" });
      const verify = async () => {
        const outcome = await verifier.verify(`Bearer ${issued.secret}`);
        if (!outcome.valid) throw new Error(outcome.code);
        return outcome.subject.account;
      };
      expect(await verify()).toMatchObject({ plan: "free", rpmLimit: null });
      clock += 1000;
      const updated = await accounts.update(account.id, { plan: "pro", rpmLimit: 120, tpmLimit: null }, { ...OPERATOR, requestId: "req_patch" });
      expect(updated).toMatchObject({ plan: "pro", rpmLimit: 120, tpmLimit: null, updatedAt: clock });
      expect(await verify()).toMatchObject({ plan: "pro", rpmLimit: 120 });
      // Both events of the change share its timestamp; their order among themselves is not part of the contract.
      const events = await eventsOf(account.id);
      expect(events.map((event) => event.event).sort()).toEqual(["account.created", "account.limits_changed", "account.plan_changed", "key.created"]);
      const named = (name: AuditEvent) => events.find((event) => event.event === name);
      expect(named("account.plan_changed")).toMatchObject({
        actor: "operator",
        requestId: "req_patch",
        timestamp: clock,
        metadata: { from: "free", to: "pro" },
      });
      expect(named("account.limits_changed")).toMatchObject({
        actor: "operator",
        requestId: "req_patch",
        timestamp: clock,
        metadata: { rpm_limit: 120, tpm_limit: null },
      });
    });

    it("setting the plan it already has writes no plan_changed event", async () => {
      const account = await accountOn("pro");
      await accounts.update(account.id, { plan: "pro" });
      expect(await eventsOf(account.id, "account.plan_changed")).toEqual([]);
    });

    it("an unknown or malformed account id is 404 account_not_found", async () => {
      for (const id of ["acct_0000000000missingmiss", "not-an-id"]) {
        expect(await refusal(accounts.update(id, { plan: "pro" }))).toMatchObject({ code: "account_not_found", status: 404, param: "id" });
        expect(await refusal(accounts.require(id))).toMatchObject({ code: "account_not_found" });
      }
    });
  });

  describe("IP allowlists need a plan that allows them (one check for keys and accounts)", () => {
    it.each(["free", "pro"] as const)("refuses a list on %s, for the account and its keys, with a remedy for who asks; nothing changes", async (plan) => {
      const account = await accountOn(plan);
      const issued = await keys.create(account, { name: "k", mode: "test" });
      const attempts = [
        ["operator", refusal(accounts.update(account.id, { ipAllowlist: ["192.0.2.1"] }))],
        ["operator", refusal(keys.update(issued.record.id, { ipAllowlist: ["192.0.2.1"] }))],
        ["operator", refusal(keys.create(account, { name: "with list", mode: "test", ipAllowlist: ["192.0.2.1"] }))],
        ["holder", refusal(accounts.update(account.id, { ipAllowlist: ["192.0.2.1"] }, SESSION))],
        ["holder", refusal(keys.update(issued.record.id, { ipAllowlist: ["192.0.2.1"] }, account.id, SESSION))],
      ] as const;
      for (const [who, attempt] of attempts) {
        const error = await attempt;
        expect(error).toMatchObject({ code: "plan_required", status: 403, param: "ip_allowlist" });
        expect(error.message).toContain(`IP allowlists need the Enterprise plan; this account is on the ${plan === "free" ? "Free" : "Pro"} plan.`);
        if (who === "operator") expect(error.message).toContain(`bentoo accounts set-plan ${account.id} enterprise`);
        else expect(error.message).toContain("ask your operator to upgrade the account");
      }
      expect((await opened.storage.accounts.get(account.id))?.ipAllowlist).toBeNull();
      expect((await opened.storage.keys.get(issued.record.id))?.ipAllowlist).toBeNull();
      expect((await opened.storage.keys.listByAccount(account.id, { limit: 10 })).items).toHaveLength(1);
      expect(await eventsOf(account.id, "account.allowlist_changed")).toEqual([]);
      expect(await eventsOf(account.id, "key.allowlist_changed")).toEqual([]);
    });

    it("accepts a list on enterprise for the account and its keys, normalised, each change with its event", async () => {
      const account = await accountOn("enterprise");
      const updated = await accounts.update(account.id, { ipAllowlist: [" 203.0.113.9 ", "2001:DB8:0::/48"] }, SESSION);
      expect(updated.ipAllowlist).toEqual(["203.0.113.9", "2001:db8::/48"]);
      const issued = await keys.create(account, { name: "office", mode: "test", ipAllowlist: ["10.1.2.3/8"] });
      expect(issued.record.ipAllowlist).toEqual(["10.0.0.0/8"]);
      const key = await keys.update(issued.record.id, { ipAllowlist: ["198.51.100.0/24"] }, account.id, SESSION);
      expect(key.ipAllowlist).toEqual(["198.51.100.0/24"]);
      expect(await eventsOf(account.id, "account.allowlist_changed")).toMatchObject([
        { actor: SESSION.actor, metadata: { ip_allowlist: ["203.0.113.9", "2001:db8::/48"] } },
      ]);
      expect(await eventsOf(account.id, "key.allowlist_changed")).toMatchObject([
        { apiKeyId: issued.record.id, metadata: { ip_allowlist: ["198.51.100.0/24"] } },
      ]);
    });

    it("moving to enterprise and setting a list in one update is allowed; so is clearing a list on any plan", async () => {
      const account = await accountOn("free");
      const upgraded = await accounts.update(account.id, { plan: "enterprise", ipAllowlist: ["192.0.2.0/24"] });
      expect(upgraded).toMatchObject({ plan: "enterprise", ipAllowlist: ["192.0.2.0/24"] });
      const issued = await keys.create(upgraded, { name: "k", mode: "test", ipAllowlist: ["192.0.2.7"] });
      // Moved back down: the restriction stays until someone clears it, and a roll carries it over.
      await accounts.update(account.id, { plan: "free" });
      const { replacement } = await keys.roll(issued.record.id, 0);
      expect(replacement.record.ipAllowlist).toEqual(["192.0.2.7"]);
      expect((await accounts.update(account.id, { ipAllowlist: [] }, SESSION)).ipAllowlist).toBeNull();
      expect((await keys.update(replacement.record.id, { ipAllowlist: null }, account.id, SESSION)).ipAllowlist).toBeNull();
    });

    it("a bad entry is a 400 naming it, after the plan allowed the list", async () => {
      const account = await accountOn("enterprise");
      const error = await refusal(accounts.update(account.id, { ipAllowlist: ["192.0.2.1", "10.0.0.999"] }));
      expect(error).toMatchObject({ code: "invalid_request", param: "ip_allowlist[1]" });
      expect((await opened.storage.accounts.get(account.id))?.ipAllowlist).toBeNull();
    });
  });
});
