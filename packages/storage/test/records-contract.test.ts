import { type AuditEvent, type AuditRecord, DEFAULT_KEY_SCOPES, generateApiKey, type LedgerEntry, managementEvent, newId } from "@bentoo/core";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Storage.records.write, the one write path for audit records and ledger rows, on every dialect. */
describe.each(storageTargets())("record batches on $name", (target) => {
  let opened: OpenedStorage;
  const clock = 1_700_000_000_000;

  beforeAll(async () => {
    opened = await target.open({ now: () => clock });
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  const account = async (): Promise<string> =>
    (await opened.storage.accounts.create({ email: `${newId("account")}@example.com`, passwordHash: null, plan: "free" })).id;
  const row = (accountId: string, amountMicros: number, kind: LedgerEntry["kind"] = "grant"): LedgerEntry => ({
    id: newId("ledgerEntry"),
    accountId,
    kind,
    amountMicros,
    requestId: kind === "charge" ? newId("request") : null,
    estimated: false,
    createdAt: clock,
    metadata: null,
    apiKeyId: kind === "charge" ? "key_chargedchargedcharg" : null,
    admittedAt: kind === "charge" ? clock - 5 : null,
  });
  const event = (accountId: string, name: AuditEvent = "credits.granted"): AuditRecord => managementEvent(name, { actor: "operator" }, { accountId }, clock);
  const balance = async (accountId: string) => (await opened.storage.accounts.get(accountId))?.balanceMicros;
  const eventIds = async (accountId: string) => (await opened.storage.audit.query({ accountId, limit: 1000 })).records.map((record) => record.id);

  it("moves balances only through ledger rows, atomically under concurrency (integers, no lost updates)", async () => {
    const { records, ledger } = opened.storage;
    const accountId = await account();
    await Promise.all(Array.from({ length: 50 }, () => records.write({ audit: [], ledger: [row(accountId, 1_000_001)] })));
    await records.write({ audit: [], ledger: [row(accountId, -1, "charge")] });
    expect(await balance(accountId)).toBe(50_000_049);
    expect(await ledger.sum(accountId)).toBe(50_000_049);
    await expect(records.write({ audit: [], ledger: [row("acct_missingmissingmissi", 5)] })).rejects.toThrow();
  });

  it("commits a batch's audit records and ledger rows together, or neither", async () => {
    const { records, ledger } = opened.storage;
    const accountId = await account();
    const audit = [event(accountId), event(accountId, "key.created")];
    // The row for an account that does not exist fails the batch: nothing of it may stay.
    await expect(records.write({ audit, ledger: [row(accountId, 700), row("acct_missingmissingmissi", 5)] })).rejects.toThrow();
    expect(await eventIds(accountId)).toEqual([]);
    expect(await ledger.list(accountId, { limit: 10 })).toEqual([]);
    expect(await balance(accountId)).toBe(0);

    const grant = row(accountId, 700);
    await records.write({ audit, ledger: [grant] });
    expect((await eventIds(accountId)).sort()).toEqual(audit.map((record) => record.id).sort());
    expect(await ledger.list(accountId, { limit: 10 })).toEqual([grant]);
    expect(await balance(accountId)).toBe(700);
  });

  it("takes a batch sent again (its first commit's reply lost) without writing a record or moving a balance twice", async () => {
    const { records, ledger } = opened.storage;
    const accountId = await account();
    const batch = { audit: [event(accountId)], ledger: [row(accountId, 700), row(accountId, 300)] };
    await records.write(batch);
    await records.write(batch);
    const later = { audit: [...batch.audit, event(accountId)], ledger: [...batch.ledger, row(accountId, 5)] };
    await records.write(later);
    expect(await balance(accountId)).toBe(1005);
    expect(await ledger.sum(accountId)).toBe(1005);
    expect(await ledger.list(accountId, { limit: 10 })).toHaveLength(3);
    expect(await eventIds(accountId)).toHaveLength(2);
  });

  it("stores every ledger field as given; a request id is cleaned like audit text instead of failing the batch", async () => {
    const { records, ledger } = opened.storage;
    const accountId = await account();
    const grant = { ...row(accountId, 9_007_199_254_740), metadata: { actor: 'op "ada" \\ é 🎉' } };
    const charge = { ...row(accountId, -120, "charge"), requestId: "req_\ud800", estimated: true, createdAt: clock + 1 };
    const long = { ...row(accountId, -3, "charge"), requestId: `req_${"x".repeat(100)}\u0000`, createdAt: clock + 2 };
    await records.write({ audit: [], ledger: [grant, charge, long] });
    expect(await ledger.list(accountId, { limit: 10 })).toEqual([
      { ...long, requestId: `req_${"x".repeat(60)}` },
      { ...charge, requestId: "req_\ufffd" },
      grant,
    ]);
    expect(await balance(accountId)).toBe(9_007_199_254_617);
  });

  it("keeps every balance equal to its ledger sum after concurrent batches and grants across accounts", async () => {
    const { records, ledger } = opened.storage;
    const accounts = [await account(), await account(), await account()];
    const expected = new Map(accounts.map((id) => [id, 0]));
    const writes: Array<Promise<void>> = [];
    for (let index = 0; index < 30; index += 1) {
      // Each batch names the accounts in a different order, as request traffic does.
      const order = index % 2 === 0 ? accounts : [...accounts].reverse();
      const charges = order.flatMap((accountId, position) => Array.from({ length: position + 1 }, () => row(accountId, -(index + 1), "charge")));
      for (const charge of charges) expected.set(charge.accountId, (expected.get(charge.accountId) ?? 0) + charge.amountMicros);
      writes.push(records.write({ audit: charges.map((charge) => ({ ...event(charge.accountId), event: "api.request", type: "request" })), ledger: charges }));
      const grantee = accounts[index % accounts.length]!;
      expected.set(grantee, (expected.get(grantee) ?? 0) + 1000);
      writes.push(records.write({ audit: [event(grantee)], ledger: [row(grantee, 1000)] }));
    }
    await Promise.all(writes);
    for (const accountId of accounts) {
      expect(await ledger.sum(accountId)).toBe(expected.get(accountId));
      expect(await balance(accountId)).toBe(expected.get(accountId));
      expect((await opened.storage.audit.query({ accountId, event: "credits.granted", limit: 100 })).records).toHaveLength(10);
    }
  });

  it("commits management events with the change they describe, and rolls them back with it", async () => {
    const { accounts, keys } = opened.storage;
    const accountId = await account();
    const generated = generateApiKey("live");
    const input = {
      accountId,
      name: "k",
      mode: "live" as const,
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
    };
    const created = await keys.create(input, null, (key) => [managementEvent("key.created", { actor: "operator" }, { accountId, apiKeyId: key.id }, clock)]);
    if (!created.created) throw new Error("key not created");
    const revoked = event(accountId, "key.revoked");
    await keys.revoke(created.key.id, clock, [revoked]);
    const stored = (await opened.storage.audit.query({ accountId, limit: 10 })).records;
    // Both carry the same timestamp, so their order is their ids' (random within one millisecond): compare as a set.
    expect(stored.map((record) => [record.event, record.apiKeyId]).sort()).toEqual([
      ["key.created", created.key.id],
      ["key.revoked", null],
    ]);

    // An event the database refuses (no event name) fails the change's transaction: the change, and the event written before it, go too.
    const refused = { ...event(accountId, "account.plan_changed"), event: null } as unknown as AuditRecord;
    await expect(accounts.update(accountId, { plan: "pro" }, [event(accountId, "account.plan_changed"), refused])).rejects.toThrow();
    expect((await accounts.get(accountId))?.plan).toBe("free");
    const other = generateApiKey("live");
    const failing = keys.create({ ...input, hash: other.hash, last4: other.last4 }, null, () => [event(accountId, "key.created"), refused]);
    await expect(failing).rejects.toThrow();
    expect((await keys.listByAccount(accountId, { limit: 10 })).items.map((key) => key.id)).toEqual([created.key.id]);
    expect((await opened.storage.audit.query({ accountId, limit: 10 })).records.map((record) => record.event).sort()).toEqual(["key.created", "key.revoked"]);
  });
});
