import { IP_BLOCKED_EVENTS_PER_HOUR } from "@bentoo/core";
import { storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedUp } from "./api-helpers.js";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

/** Every event type: each test reads what one account's endpoint was sent. */
const ALL_TYPES = ["key.created", "key.rolled", "key.revoked", "key.expiring", "key.spend_cap_reached", "balance.low", "request.ip_blocked"];

describe.each(storageTargets())("webhook events on $name", (target) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ target, env: { BENTOO_WEBHOOKS_ALLOW_PRIVATE: "true" } });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const admin = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload === undefined ? {} : { payload }) });

  /** An account with an endpoint subscribed to every type (never sent to: the dispatcher is not started here). */
  async function subscribedAccount(plan: "free" | "enterprise" = "free") {
    const seeded = await t.seedAccount({ plan });
    const created = await admin("POST", `/admin/v1/accounts/${seeded.account.id}/webhooks`, { url: "http://127.0.0.1:9/hook", event_types: ALL_TYPES });
    expect(created.statusCode).toBe(201);
    return { ...seeded, endpointId: created.json().id as string };
  }

  /** The payloads raised for an endpoint, oldest first, of one type. */
  async function raised(endpointId: string, type: string): Promise<Array<{ type: string; timestamp: string; data: Record<string, unknown> }>> {
    await t.services.records.flush();
    const page = await t.services.storage.webhooks.listDeliveries(endpointId, { limit: 100 });
    return page.items
      .filter((delivery) => delivery.eventType === type)
      .reverse()
      .map((delivery) => JSON.parse(delivery.payload));
  }

  it("balance.low fires once when the balance falls below the threshold, and again only after it went back above", async () => {
    const { account, endpointId } = await subscribedAccount();
    const patch = await admin("PATCH", `/admin/v1/accounts/${account.id}`, { low_balance_threshold_micros: 5_000_000 });
    expect(patch.json().low_balance_threshold_micros).toBe(5_000_000);
    // A millisecond apart, so the log's newest-first order is the order of the changes.
    const credit = (amount: number) => {
      t.clock.advance(1);
      return admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: amount, allow_negative: true });
    };
    // The seeded balance is 0, below the new threshold: the alert fires as it is set.
    expect(await raised(endpointId, "balance.low")).toMatchObject([{ data: { account_id: account.id, balance_micros: 0, threshold_micros: 5_000_000 } }]);
    await credit(10_000_000); // above: re-armed
    await credit(-4_000_000); // 6,000,000: still above
    expect(await raised(endpointId, "balance.low")).toHaveLength(1);
    await credit(-2_000_000); // 4,000,000: below
    await credit(-1_000_000); // 3,000,000: still below, no second event
    const events = await raised(endpointId, "balance.low");
    expect(events).toHaveLength(2);
    expect(events[1]).toEqual({
      type: "balance.low",
      // Raised by the debit before the last one.
      timestamp: new Date(t.clock.now() - 1).toISOString(),
      data: { account_id: account.id, balance_micros: 4_000_000, threshold_micros: 5_000_000 },
    });
    await credit(2_000_000); // 5,000,000: at the threshold is not below; re-armed
    await credit(-1); // below again
    expect(await raised(endpointId, "balance.low")).toHaveLength(3);
    // No threshold, no alert.
    await admin("PATCH", `/admin/v1/accounts/${account.id}`, { low_balance_threshold_micros: null });
    await credit(5_000_000);
    await credit(-9_000_000);
    expect(await raised(endpointId, "balance.low")).toHaveLength(3);
  });

  it("balance.low from charges written by the record writer, and the dashboard's setting", async () => {
    const b = await signedUp(t);
    await b.request("POST", "/api/webhooks", { url: "http://127.0.0.1:9/hook", event_types: ["balance.low"] });
    const accountId = (await b.request("GET", "/api/account")).json().account.id as string;
    await t.services.credits.grant(accountId, 2_000_000);
    const set = await b.request("PATCH", "/api/account", { low_balance_threshold_micros: 1_500_000 });
    expect(set.statusCode).toBe(200);
    expect(set.json().account).toMatchObject({ balance_micros: 2_000_000, low_balance_threshold_micros: 1_500_000 });
    const unknown = await b.request("PATCH", "/api/account", { low_balance_threshold: 1 });
    expect(unknown.json().error).toMatchObject({ code: "invalid_request", param: "low_balance_threshold" });
    expect((await b.request("PATCH", "/api/account", { low_balance_threshold_micros: -5 })).json().error.param).toBe("low_balance_threshold_micros");
    // A request's charge, batched by the record writer: the event is raised in its batch's transaction.
    t.services.credits.charge(accountId, 600_000, 600_000, "req_00000000000000000001", false);
    await t.services.records.flush();
    const endpointId = (await b.request("GET", "/api/webhooks")).json().data[0].id as string;
    const log = await t.services.storage.webhooks.listDeliveries(endpointId, { limit: 10 });
    expect(log.items.map((delivery) => JSON.parse(delivery.payload).data)).toEqual([
      { account_id: accountId, balance_micros: 1_400_000, threshold_micros: 1_500_000 },
    ]);
    // Sent again (a retried batch, a journal replay): inserts nothing, raises nothing.
    await t.services.storage.records.write({
      audit: [],
      ledger: [
        {
          id: "led_00000000000000000001",
          accountId,
          kind: "charge",
          amountMicros: -1,
          requestId: null,
          estimated: false,
          createdAt: t.clock.now(),
          metadata: null,
        },
      ],
    });
    await t.services.credits.grant(accountId, 1_000_000);
    await t.services.storage.records.write({
      audit: [],
      ledger: [
        {
          id: "led_00000000000000000001",
          accountId,
          kind: "charge",
          amountMicros: -1,
          requestId: null,
          estimated: false,
          createdAt: t.clock.now(),
          metadata: null,
        },
      ],
    });
    expect((await t.services.storage.webhooks.listDeliveries(endpointId, { limit: 10 })).items).toHaveLength(1);
  });

  it("request.ip_blocked: one event per key and address per hour, at most 20 per account per hour", async () => {
    const { account, key, keyId, endpointId } = await subscribedAccount("enterprise");
    await admin("PATCH", `/admin/v1/keys/${keyId}`, { ip_allowlist: ["192.0.2.0/24"] });
    const from = (remoteAddress: string) => t.app.inject({ url: "/v1/models", headers: bearer(key), remoteAddress });
    expect((await from("192.0.2.10")).statusCode).toBe(200);
    for (let index = 0; index < 5; index += 1) expect((await from("198.51.100.7")).statusCode).toBe(403);
    await from("198.51.100.8");
    const events = await raised(endpointId, "request.ip_blocked");
    expect(events.map((event) => event.data.source_ip).sort()).toEqual(["198.51.100.7", "198.51.100.8"]);
    expect(events.find((event) => event.data.source_ip === "198.51.100.7")!.data).toMatchObject({
      account_id: account.id,
      key: { id: keyId, key_id: key.slice(-4), name: "seeded" },
      source_ip: "198.51.100.7",
      path: "/v1/models",
    });
    expect(events[0]!.data.request_id).toMatch(/^req_/);
    expect(JSON.stringify(events)).not.toContain(key);
    // Many addresses within the hour: capped per account.
    for (let index = 0; index < 40; index += 1) await from(`203.0.113.${index + 1}`);
    expect(await raised(endpointId, "request.ip_blocked")).toHaveLength(IP_BLOCKED_EVENTS_PER_HOUR);
    // The next hour, the first address is told about again.
    t.clock.advance(3_600_000);
    await from("198.51.100.7");
    expect(await raised(endpointId, "request.ip_blocked")).toHaveLength(IP_BLOCKED_EVENTS_PER_HOUR + 1);
  });

  it("key lifecycle events carry the key's ids and who acted, never the key", async () => {
    const { account, endpointId } = await subscribedAccount();
    const issued = (await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "prod", mode: "live", expires_at: "2099-01-01T00:00:00Z" })).json();
    const rolled = (await admin("POST", `/admin/v1/keys/${issued.id}/roll`, { grace_seconds: 3600 })).json();
    await admin("DELETE", `/admin/v1/keys/${rolled.id}`);
    const created = (await raised(endpointId, "key.created")).find((event) => (event.data.key as { id: string }).id === issued.id);
    expect(created!.data).toEqual({
      account_id: account.id,
      key: { id: issued.id, key_id: issued.key_id, name: "prod", mode: "live", expires_at: "2099-01-01T00:00:00.000Z" },
      actor: "operator",
    });
    expect((await raised(endpointId, "key.rolled"))[0]!.data).toEqual({
      account_id: account.id,
      key: { id: issued.id, key_id: issued.key_id, name: "prod" },
      replacement: { id: rolled.id, key_id: rolled.key_id },
      grace_seconds: 3600,
      actor: "operator",
    });
    expect((await raised(endpointId, "key.revoked"))[0]!.data).toEqual({
      account_id: account.id,
      key: { id: rolled.id, key_id: rolled.key_id, name: "prod" },
      actor: "operator",
    });
    const everything = JSON.stringify(await t.services.storage.webhooks.listDeliveries(endpointId, { limit: 100 }));
    expect(everything).not.toContain(issued.key);
    expect(everything).not.toContain(rolled.key);
  });

  it("key.expiring is raised once per key, seven days before its expiry; not for a rolled key", async () => {
    const { account, endpointId } = await subscribedAccount();
    const inDays = (days: number) => new Date(t.clock.now() + days * 86_400_000).toISOString();
    const soon = (await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "soon", mode: "test", expires_at: inDays(3) })).json();
    const later = (await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "later", mode: "test", expires_at: inDays(10) })).json();
    const rolledAway = (await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "rolled", mode: "test" })).json();
    await admin("POST", `/admin/v1/keys/${rolledAway.id}/roll`, { grace_seconds: 86_400 });
    await t.services.webhookDispatcher.maintain();
    await t.services.webhookDispatcher.maintain();
    let events = await raised(endpointId, "key.expiring");
    expect(events).toEqual([
      {
        type: "key.expiring",
        timestamp: new Date(t.clock.now()).toISOString(),
        data: { account_id: account.id, key: { id: soon.id, key_id: soon.key_id, name: "soon", mode: "test" }, expires_at: soon.expires_at },
      },
    ]);
    t.clock.advance(3 * 86_400_000 + 1000);
    await t.services.webhookDispatcher.maintain();
    events = await raised(endpointId, "key.expiring");
    expect(events.map((event) => (event.data.key as { id: string }).id)).toEqual([soon.id, later.id]);
  });

  it("nothing is raised for an account without a subscribed endpoint", async () => {
    const { account, keyId } = await t.seedAccount();
    await admin("POST", `/admin/v1/keys/${keyId}/roll`, { grace_seconds: 0 });
    await admin("PATCH", `/admin/v1/accounts/${account.id}`, { low_balance_threshold_micros: 100 });
    await t.services.records.flush();
    const { db } = t.opened.storage;
    const rows = await db.selectFrom("webhook_events").select("id").where("account_id", "=", account.id).execute();
    expect(rows).toEqual([]);
  });
});
