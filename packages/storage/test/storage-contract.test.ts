import { BentooError, DEFAULT_KEY_SCOPES, generateApiKey, type KeyMode } from "@bentoo/core";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** One contract, every dialect: the same behaviour on SQLite and PostgreSQL. */
describe.each(storageTargets())("storage contract on $name", (target) => {
  let opened: OpenedStorage;
  let clock = 1_700_000_000_000;
  const now = () => clock;

  beforeAll(async () => {
    opened = await target.open({ now });
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  const newKey = (accountId: string, mode: KeyMode = "live", extra: { expiresAt?: number | null } = {}) => {
    const generated = generateApiKey(mode);
    return {
      input: {
        accountId,
        name: `key ${generated.last4}`,
        mode,
        hash: generated.hash,
        last4: generated.last4,
        expiresAt: extra.expiresAt ?? null,
        rolledFromId: null,
        ipAllowlist: null,
        scopes: DEFAULT_KEY_SCOPES,
        rpmLimit: null,
        tpmLimit: null,
        spendCap: null,
        models: null,
      },
      generated,
    };
  };

  it("reports its dialect and answers a ping", async () => {
    expect(opened.storage.dialect).toBe(target.name);
    await expect(opened.storage.ping()).resolves.toBeUndefined();
  });

  it("creates, finds and updates accounts; emails are unique and case-insensitive", async () => {
    const { accounts } = opened.storage;
    const created = await accounts.create({ email: "Ada@Example.com", passwordHash: null, plan: "free" });
    expect(created.id).toMatch(/^acct_[0-9A-Za-z]{20}$/);
    expect(created.email).toBe("ada@example.com");
    expect(await accounts.get(created.id)).toEqual(created);
    expect((await accounts.getByEmail("ADA@example.COM"))?.id).toBe(created.id);
    expect(await accounts.create({ email: "ada@example.com", passwordHash: null, plan: "pro" })).toBeNull();
    clock += 10;
    const updated = await accounts.update(created.id, { plan: "enterprise", rpmLimit: 120, ipAllowlist: ["10.0.0.0/8", "::1"] });
    expect(updated).toMatchObject({ plan: "enterprise", rpmLimit: 120, tpmLimit: null, ipAllowlist: ["10.0.0.0/8", "::1"], updatedAt: clock });
    expect(await accounts.update("acct_missingmissingmissi", { plan: "pro" })).toBeNull();
  });

  it("stores only the key hash, finds keys by hash with their account, and revokes once", async () => {
    const { accounts, keys } = opened.storage;
    const account = await accounts.create({ email: "keys@example.com", passwordHash: null, plan: "free" });
    const { input, generated } = newKey(account.id, "test");
    const outcome = await keys.create(input, 50);
    expect(outcome.created).toBe(true);
    if (!outcome.created) return;
    expect(outcome.key).toMatchObject({ accountId: account.id, mode: "test", last4: generated.last4, revokedAt: null });
    expect(JSON.stringify(outcome.key)).not.toContain(generated.key);
    const found = await keys.findByHash(generated.hash);
    expect(found?.key.id).toBe(outcome.key.id);
    expect(found?.account.id).toBe(account.id);
    expect(await keys.findByHash("0".repeat(64))).toBeNull();
    expect(await keys.hashOf(outcome.key.id)).toBe(generated.hash);
    clock += 5;
    const revokedAt = clock;
    expect((await keys.revoke(outcome.key.id, revokedAt))?.revokedAt).toBe(revokedAt);
    expect((await keys.revoke(outcome.key.id, revokedAt + 100))?.revokedAt).toBe(revokedAt);
    expect((await keys.findByHash(generated.hash))?.key.revokedAt).toBe(revokedAt);
    const renamed = await keys.update(outcome.key.id, { name: "renamed", ipAllowlist: ["192.0.2.1"] });
    expect(renamed).toMatchObject({ name: "renamed", ipAllowlist: ["192.0.2.1"] });
  });

  it("enforces the active-key cap atomically; revoked and expired keys do not count", async () => {
    const { accounts, keys } = opened.storage;
    const account = await accounts.create({ email: "cap@example.com", passwordHash: null, plan: "free" });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => keys.create(newKey(account.id).input, 5)));
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(5);
    expect(outcomes.filter((outcome) => !outcome.created)).toEqual(Array(3).fill({ created: false, reason: "plan_limit_reached", limit: 5 }));
    expect(await keys.countActive(account.id, clock)).toBe(5);
    const first = outcomes.find((outcome) => outcome.created);
    if (!first?.created) throw new Error("unreachable");
    await keys.revoke(first.key.id, clock);
    expect((await keys.create(newKey(account.id).input, 5)).created).toBe(true);
    expect((await keys.create(newKey(account.id).input, 5)).created).toBe(false);
    const second = outcomes.filter((outcome) => outcome.created)[1];
    if (!second?.created) throw new Error("unreachable");
    await keys.update(second.key.id, { expiresAt: clock });
    expect((await keys.create(newKey(account.id).input, 5)).created).toBe(true);
    expect((await keys.create(newKey(account.id).input, null)).created).toBe(true);
  });

  describe("rolls within the cap", () => {
    const DAY = 24 * 3600 * 1000;
    const roll = (keyId: string, graceMs: number | null, cap: number | null = 5) => {
      const generated = generateApiKey("live");
      return opened.storage.keys.roll({ keyId, hash: generated.hash, last4: generated.last4, graceMs }, cap, () => []);
    };
    /** Active keys with no expiry at all: what a free account could keep using forever. */
    const nonExpiring = async (accountId: string) =>
      (await opened.storage.keys.listByAccount(accountId, { limit: 1000 })).items.filter((key) => key.revokedAt === null && key.expiresAt === null).length;
    const atCap = async (email: string) => {
      const account = await opened.storage.accounts.create({ email, passwordHash: null, plan: "free" });
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const outcome = await opened.storage.keys.create(newKey(account.id).input, 5);
        if (outcome.created) ids.push(outcome.key.id);
      }
      return { account, ids };
    };

    it("a key in its grace period stops counting, its replacement counts, and it cannot be rolled again", async () => {
      const { account, ids } = await atCap("roll-seq@example.com");
      const first = await roll(ids[0]!, 7 * DAY);
      if (!first.rolled) throw new Error(`refused: ${first.reason}`);
      expect(first.previous.expiresAt).toBe(clock + 7 * DAY);
      expect(first.replacement).toMatchObject({ rolledFromId: ids[0], name: first.previous.name, expiresAt: null, revokedAt: null });
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(5);
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const again = await roll(ids[0]!, 7 * DAY);
        expect(again).toMatchObject({ rolled: false, reason: "already_rolled", replacement: { id: first.replacement.id } });
      }
      expect(await nonExpiring(account.id)).toBe(5);
      // The replacement rolls like any key; so does each of its own replacements.
      let current = first.replacement.id;
      for (let generation = 0; generation < 5; generation += 1) {
        const next = await roll(current, 7 * DAY);
        if (!next.rolled) throw new Error(`refused: ${next.reason}`);
        current = next.replacement.id;
      }
      expect(await nonExpiring(account.id)).toBe(5);
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(5);
      expect((await opened.storage.keys.create(newKey(account.id).input, 5)).created).toBe(false);
    });

    it("concurrent rolls of one key: exactly one replacement, the others are told it was already rolled", async () => {
      const { account, ids } = await atCap("roll-race@example.com");
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, index) => roll(ids[1]!, index % 3 === 0 ? null : index % 3 === 1 ? 0 : DAY)));
      const rolled = outcomes.filter((outcome) => outcome.rolled);
      expect(rolled).toHaveLength(1);
      // The winner may have been a roll "until revoked" at the cap, which is refused; then every other roll had its chance.
      for (const outcome of outcomes.filter((entry) => !entry.rolled)) expect(["already_rolled", "not_active", "plan_limit_reached"]).toContain(outcome.reason);
      expect(await nonExpiring(account.id)).toBeLessThanOrEqual(5);
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(5);
    });

    it("concurrent rolls of different keys at the cap all succeed and never add a counted key", async () => {
      const { account, ids } = await atCap("roll-many@example.com");
      const outcomes = await Promise.all(ids.map((id) => roll(id, DAY)));
      expect(outcomes.every((outcome) => outcome.rolled)).toBe(true);
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(5);
      expect(await nonExpiring(account.id)).toBe(5);
    });

    it("a roll that keeps the old key until revoked needs a free slot; one that revokes it does not", async () => {
      const { account, ids } = await atCap("roll-keep@example.com");
      expect(await roll(ids[0]!, null)).toEqual({ rolled: false, reason: "plan_limit_reached", limit: 5 });
      const now = await roll(ids[0]!, 0);
      expect(now).toMatchObject({ rolled: true, previous: { revokedAt: clock } });
      expect(await roll(ids[0]!, DAY)).toMatchObject({ rolled: false, reason: "not_active" });
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(5);
      // Unlimited plans are never refused.
      expect((await roll(ids[1]!, null, null)).rolled).toBe(true);
    });

    it("once its replacement is revoked, a key in grace may be rolled again, within the cap", async () => {
      const { account, ids } = await atCap("roll-undo@example.com");
      const first = await roll(ids[2]!, DAY);
      if (!first.rolled) throw new Error(`refused: ${first.reason}`);
      await opened.storage.keys.revoke(first.replacement.id, clock);
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(4);
      const second = await roll(ids[2]!, DAY);
      expect(second.rolled).toBe(true);
      expect(await opened.storage.keys.countActive(account.id, clock)).toBe(5);
      await opened.storage.keys.revoke(second.rolled ? second.replacement.id : "", clock);
      expect((await opened.storage.keys.create(newKey(account.id).input, 5)).created).toBe(true);
      expect((await roll(ids[2]!, DAY)).rolled).toBe(false);
    });

    it("another account's key reads as missing", async () => {
      const { ids } = await atCap("roll-owner@example.com");
      const generated = generateApiKey("live");
      expect(
        await opened.storage.keys.roll(
          { keyId: ids[0]!, accountId: "acct_someoneelse00000000", hash: generated.hash, last4: generated.last4, graceMs: 0 },
          5,
          () => [],
        ),
      ).toEqual({
        rolled: false,
        reason: "not_found",
      });
    });
  });

  it("pages an account's keys with a stable keyset cursor: no gaps, no duplicates", async () => {
    const { accounts, keys } = opened.storage;
    const account = await accounts.create({ email: "pages@example.com", passwordHash: null, plan: "pro" });
    const ids: string[] = [];
    for (let index = 0; index < 23; index += 1) {
      if (index % 4 === 0) clock += 1; // several keys share a timestamp
      const outcome = await keys.create(newKey(account.id).input, null);
      if (outcome.created) ids.push(outcome.key.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await keys.listByAccount(account.id, { limit: 5, cursor });
      seen.push(...page.items.map((key) => key.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(23);
    expect([...seen].sort()).toEqual([...ids].sort());
    await expect(keys.listByAccount(account.id, { limit: 5, cursor: "garbage!" })).rejects.toBeInstanceOf(BentooError);
  });

  it("lists accounts with a cursor", async () => {
    const { accounts } = opened.storage;
    const total = await accounts.count();
    const first = await accounts.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const rest = await accounts.list({ limit: 1000, cursor: first.nextCursor });
    expect(first.items.length + rest.items.length).toBe(total);
  });
});
