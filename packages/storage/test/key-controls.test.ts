import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_KEY_SCOPES, generateApiKey, type LedgerEntry, type NewApiKey, newId, spendWindow } from "@bentoo/core";
import { type OpenedStorage, storageTargets, testPostgresUrl } from "@bentoo/test-kit";
import { Migrator } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPostgresSchema, type KyselyStorage, openStorage } from "../src/index.js";
import { migrationProvider } from "../src/migrations/index.js";

const DAY = 86_400_000;

/** Per-key controls as storage keeps them, and the spend a cap counts, on every dialect. */
describe.each(storageTargets())("key controls on $name", (target) => {
  let opened: OpenedStorage;
  let clock = Date.UTC(2026, 2, 10, 12);
  const now = () => clock;

  beforeAll(async () => {
    opened = await target.open({ now });
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  const newKey = (accountId: string, controls: Partial<NewApiKey> = {}): NewApiKey => {
    const generated = generateApiKey("live");
    return {
      accountId,
      name: "controlled",
      mode: "live",
      hash: generated.hash,
      last4: generated.last4,
      expiresAt: null,
      rolledFromId: null,
      ipAllowlist: null,
      scopes: DEFAULT_KEY_SCOPES,
      rpmLimit: null,
      tpmLimit: null,
      spendCap: null,
      models: null,
      ...controls,
    };
  };

  const charge = (accountId: string, apiKeyId: string, micros: number, admittedAt: number): LedgerEntry => ({
    id: newId("ledgerEntry"),
    accountId,
    kind: "charge",
    amountMicros: -micros,
    requestId: newId("request"),
    estimated: false,
    createdAt: admittedAt + 1_000,
    metadata: null,
    apiKeyId,
    admittedAt,
  });

  it("stores scopes, limits, a spend cap and models; a roll copies them and keeps the chain", async () => {
    const { accounts, keys } = opened.storage;
    const account = (await accounts.create({ email: `controls-${newId("account")}@example.com`, passwordHash: null, plan: "pro" }))!;
    const outcome = await keys.create(
      newKey(account.id, {
        scopes: ["inference"],
        rpmLimit: 5,
        tpmLimit: 1_000,
        spendCap: { amountMicros: 20_000_000, period: "month" },
        models: ["anthropic/*", "openai/gpt-4o-mini"],
      }),
      null,
    );
    if (!outcome.created) throw new Error("not created");
    const expected = {
      scopes: ["inference"],
      rpmLimit: 5,
      tpmLimit: 1_000,
      spendCap: { amountMicros: 20_000_000, period: "month" },
      models: ["anthropic/*", "openai/gpt-4o-mini"],
    };
    expect(outcome.key).toMatchObject({ ...expected, lineageId: outcome.key.id });
    expect((await keys.get(outcome.key.id))!).toMatchObject(expected);
    const rolled = await keys.roll({ keyId: outcome.key.id, hash: generateApiKey("live").hash, last4: "roll", graceMs: 60_000 }, null, () => []);
    if (!rolled.rolled) throw new Error("not rolled");
    expect(rolled.replacement).toMatchObject({ ...expected, lineageId: outcome.key.id });
    expect((await keys.get(rolled.replacement.id))!.lineageId).toBe(outcome.key.id);

    const changed = await keys.update(outcome.key.id, { scopes: ["inference", "audit:read", "key:read"], rpmLimit: null, spendCap: null, models: null });
    expect(changed).toMatchObject({ scopes: ["inference", "audit:read", "key:read"], rpmLimit: null, tpmLimit: 1_000, spendCap: null, models: null });
  });

  it("counts a chain's charges by the window their requests were admitted in", async () => {
    const { accounts, keys, records } = opened.storage;
    const account = (await accounts.create({ email: `spend-${newId("account")}@example.com`, passwordHash: null, plan: "pro" }))!;
    const created = await keys.create(newKey(account.id, { spendCap: { amountMicros: 1_000, period: "day" } }), null);
    const other = await keys.create(newKey(account.id), null);
    if (!created.created || !other.created) throw new Error("not created");
    const first = created.key;
    const rolled = await keys.roll({ keyId: first.id, hash: generateApiKey("live").hash, last4: "rol2", graceMs: 60_000 }, null, () => []);
    if (!rolled.rolled) throw new Error("not rolled");
    const today = spendWindow("day", clock);
    await records.write({
      audit: [],
      ledger: [
        charge(account.id, first.id, 100, today.start - 1), // yesterday
        charge(account.id, first.id, 200, today.start), // the window's first ms
        charge(account.id, rolled.replacement.id, 300, clock), // the replacement counts with its chain
        charge(account.id, other.key.id, 5_000, clock), // another key
        charge(account.id, first.id, 400, today.end! - 1), // the window's last ms
        charge(account.id, first.id, 800, today.end!), // tomorrow
      ],
    });
    expect(await keys.spentInWindow(account.id, first.id, today)).toBe(900);
    expect(await keys.spentInWindow(account.id, first.id, spendWindow("total", clock))).toBe(1_800);
    expect(await keys.spentInWindow(account.id, first.id, { start: today.end!, end: today.end! + DAY })).toBe(800);
    expect(await keys.spentInWindow(account.id, "key_nothingnothingnothi", today)).toBe(0);
    // Another account's key with that id never counts.
    const stranger = (await accounts.create({ email: `stranger-${newId("account")}@example.com`, passwordHash: null, plan: "pro" }))!;
    expect(await keys.spentInWindow(stranger.id, first.id, today)).toBe(0);
    clock += 1;
  });
});

/** A database migrated to 004, with a key and a charge written the way the gateway wrote them then. */
async function openAt004(
  name: "sqlite" | "postgres",
): Promise<{ storage: KyselyStorage; migrator: Migrator; url: string; schema: string | undefined; dispose(): Promise<void> }> {
  if (name === "sqlite") {
    const directory = mkdtempSync(join(tmpdir(), "bentoo-migration-"));
    const url = `sqlite:${join(directory, "bentoo.db")}`;
    const storage = await openStorage(url, { migrate: false, writerThread: false });
    return {
      url,
      storage,
      migrator: new Migrator({ db: storage.db, provider: migrationProvider, allowUnorderedMigrations: true }),
      schema: undefined,
      async dispose() {
        await storage.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  }
  const url = testPostgresUrl()!;
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const storage = await openStorage(url, { migrate: false, schema });
  return {
    storage,
    url,
    migrator: new Migrator({ db: storage.db, provider: migrationProvider, migrationTableSchema: schema, allowUnorderedMigrations: true }),
    schema,
    async dispose() {
      await storage.close();
      await dropPostgresSchema(url, schema);
    },
  };
}

describe.each(storageTargets().map((target) => target.name))("migration 008 on %s", (name) => {
  it("keys created before it keep every scope and no limits; charges get their key and admission time from the audit log", async () => {
    const { storage, migrator, dispose } = await openAt004(name);
    try {
      const to004 = await migrator.migrateTo("004-credit-ledger");
      expect(to004.error).toBeUndefined();
      const db = storage.db as unknown as import("kysely").Kysely<Record<string, Record<string, unknown>>>;
      const at = Date.UTC(2026, 0, 5);
      await db
        .insertInto("accounts")
        .values({ id: "acct_old", email: "old@example.com", plan: "free", balance_micros: 0, created_at: at, updated_at: at })
        .execute();
      await db
        .insertInto("api_keys")
        .values({ id: "key_old", account_id: "acct_old", name: "old", mode: "live", key_hash: "a".repeat(64), last4: "0ld0", created_at: at })
        .execute();
      await db
        .insertInto("audit_log")
        .values({ id: "evt_old", type: "request", event: "api.request", timestamp: at, request_id: "req_old", account_id: "acct_old", api_key_id: "key_old" })
        .execute();
      await db
        .insertInto("credit_ledger")
        .values({ id: "led_old", account_id: "acct_old", kind: "charge", amount_micros: -700, request_id: "req_old", estimated: 0, created_at: at + 5 })
        .execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const key = await storage.keys.get("key_old");
      expect(key).toMatchObject({
        scopes: ["inference", "audit:read", "key:read"],
        rpmLimit: null,
        tpmLimit: null,
        spendCap: null,
        models: null,
        lineageId: "key_old",
      });
      expect(await storage.keys.spentInWindow("acct_old", "key_old", spendWindow("month", at))).toBe(700);
    } finally {
      await dispose();
    }
  });
});

describe.each(storageTargets().map((target) => target.name))("migrations out of order on %s", (name) => {
  it("a database that already has a later migration applies 008 when it arrives", async () => {
    const { storage, url, schema, dispose } = await openAt004(name);
    try {
      // As a database migrated by a build that had 009 but not yet 008 is.
      const without008 = new Migrator({
        db: storage.db,
        provider: {
          async getMigrations() {
            const all = await migrationProvider.getMigrations();
            return Object.fromEntries(Object.entries(all).filter(([migration]) => migration !== "008-key-controls"));
          },
        },
        allowUnorderedMigrations: true,
        ...(schema === undefined ? {} : { migrationTableSchema: schema }),
      });
      expect((await without008.migrateToLatest()).error).toBeUndefined();
      // The product's own start applies 008 then, and serves.
      const reopened = await openStorage(url, { writerThread: false, ...(schema === undefined ? {} : { schema }) });
      try {
        const applied = await reopened.db
          .selectFrom("kysely_migration" as never)
          .select("name" as never)
          .execute();
        expect((applied as Array<{ name: string }>).map((row) => row.name)).toContain("008-key-controls");
        expect(await reopened.keys.spentInWindow("acct_none", "key_none", spendWindow("total", 0))).toBe(0);
      } finally {
        await reopened.close();
      }
    } finally {
      await dispose();
    }
  });
});
