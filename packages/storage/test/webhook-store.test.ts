import { type AuditRecord, generateWebhookSecret, managementEvent, OPERATOR } from "@bentoo/core";
import { openStorage } from "@bentoo/storage";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecord } from "./record-fixtures.js";

/** The webhook store's contract, on every dialect: events raised once, claims exclusive, leases honoured. */
describe.each(storageTargets())("webhook store on $name", (target) => {
  let opened: OpenedStorage;
  let clock = 1_700_000_000_000;
  const now = () => clock;

  beforeAll(async () => {
    opened = await target.open({ now });
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  async function accountWithEndpoint() {
    const account = (await opened.storage.accounts.create({ email: `w${Math.random().toString(36).slice(2)}@example.com`, passwordHash: null, plan: "free" }))!;
    const endpoint = (await opened.storage.webhooks.create(
      {
        accountId: account.id,
        url: "https://hooks.example.com/",
        description: null,
        eventTypes: ["key.revoked"],
        enabled: true,
        secret: generateWebhookSecret(),
      },
      16,
      () => [],
    ))!;
    return { account, endpoint };
  }

  const revoked = (accountId: string): AuditRecord =>
    managementEvent("key.revoked", OPERATOR, { accountId, apiKeyId: "key_00000000000000000001", keyLast4: "abcd", keyName: "k" }, clock);

  it("a record batch written twice (a retry, a journal replay) raises its events once", async () => {
    const { account, endpoint } = await accountWithEndpoint();
    const batch = { audit: [revoked(account.id), auditRecord(account.id)], ledger: [] };
    await opened.storage.records.write(batch);
    await opened.storage.records.write(batch);
    const log = await opened.storage.webhooks.listDeliveries(endpoint.id, { limit: 10 });
    expect(log.items.map((delivery) => delivery.eventType)).toEqual(["key.revoked"]);
  });

  it("concurrent claims take each delivery once; a lease that ran out is claimed again, and only its new holder's outcome counts", async () => {
    const { account } = await accountWithEndpoint();
    const count = 40;
    await opened.storage.records.write({ audit: Array.from({ length: count }, () => revoked(account.id)), ledger: [] });
    // A second connection pool, as another instance has.
    const other = await openStorage(opened.url, { now, ...(opened.schema === undefined ? {} : { schema: opened.schema }), migrate: false });
    try {
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? opened.storage : other).webhooks.claimDue(clock, 60_000, 10)),
      );
      const ids = claims.flat().map((claim) => claim.id);
      expect(new Set(ids).size).toBe(ids.length);
      const due = await opened.storage.webhooks.claimDue(clock, 60_000, 1000);
      expect(ids.length + due.length).toBeGreaterThanOrEqual(count);
      const first = claims.flat()[0] ?? due[0]!;
      expect(await opened.storage.webhooks.claimDue(clock + 59_999, 60_000, 1000)).toEqual([]);
      clock += 60_000;
      const again = await other.webhooks.claimDue(clock, 60_000, 1000);
      const retaken = again.find((claim) => claim.id === first.id)!;
      expect(retaken.attempt).toBe(first.attempt + 1);
      expect(retaken.messageId).toBe(first.messageId);
      const result = { outcome: { delivered: true as const, statusCode: 200 }, retryAt: null };
      expect(await opened.storage.webhooks.recordAttempt(first, result, clock)).toBe(false);
      expect(await other.webhooks.recordAttempt(retaken, result, clock)).toBe(true);
      expect((await opened.storage.webhooks.getDelivery(first.id))!.status).toBe("succeeded");
    } finally {
      await other.close();
    }
  });
});
