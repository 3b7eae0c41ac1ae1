import { DEFAULT_WEBHOOK_RETRY_DELAYS_MS } from "@bentoo/core";
import { startWebhookReceiver, storageTargets, type WebhookReceiver } from "@bentoo/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signedUp } from "./api-helpers.js";
import { createTestApp, type TestApp } from "./helpers.js";
import { deliveriesOf, registerEndpoint, until, verified, WEBHOOK_ENV } from "./webhook-helpers.js";

describe.each(storageTargets())("webhook deliveries on $name", (target) => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await createTestApp({ target, env: WEBHOOK_ENV });
    t.services.webhookDispatcher.start();
  });
  afterAll(async () => {
    await t?.dispose();
  });
  afterEach(async () => {
    await receiver?.close();
  });

  it("a key created in the dashboard reaches the endpoint, signed per Standard Webhooks", async () => {
    receiver = await startWebhookReceiver();
    const b = await signedUp(t);
    const endpoint = await registerEndpoint(b, `${receiver.url}/hooks/bentoo`, ["key.created"]);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const created = (await b.request("POST", "/api/keys", { name: "ci", mode: "test" })).json();

    await receiver.arrived(1);
    const [delivery] = receiver.received;
    expect(delivery!.path).toBe("/hooks/bentoo");
    expect(delivery!.headers["webhook-id"]).toMatch(/^msg_[0-9A-Za-z]{20}$/);
    expect(delivery!.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Number(delivery!.headers["webhook-timestamp"])).toBe(Math.floor(t.clock.now() / 1000));
    const payload = verified(delivery!, endpoint.secret, t.clock.now());
    expect(payload).toEqual({
      type: "key.created",
      timestamp: expect.any(String),
      data: {
        account_id: created.account_id,
        key: { id: created.id, key_id: created.key_id, name: "ci", mode: "test", expires_at: null },
        actor: `session:${created.account_id}`,
      },
    });
    // Nothing in a payload is key material.
    expect(delivery!.body).not.toContain(created.key);
    // A signature made with another secret does not verify.
    expect(() => verified(delivery!, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", t.clock.now())).toThrow("No matching signature found");

    const log = await until(async () => {
      const entries = await deliveriesOf(b, endpoint.id);
      return entries[0]?.status === "succeeded" ? entries : undefined;
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      message_id: delivery!.headers["webhook-id"],
      event_type: "key.created",
      attempts: 1,
      last_status_code: 200,
      last_error: null,
    });
    expect(log[0]!.payload).toBe(delivery!.body);
  });

  it("a receiver that fails the first attempts gets the event later, with the same webhook-id", async () => {
    receiver = await startWebhookReceiver();
    receiver.failNext(2, 503);
    const b = await signedUp(t);
    const endpoint = await registerEndpoint(b, receiver.url, ["key.revoked"]);
    const key = (await b.request("POST", "/api/keys", { name: "doomed", mode: "test" })).json();
    await b.request("DELETE", `/api/keys/${key.id}`);

    await receiver.arrived(1);
    await t.services.webhookDispatcher.idle();
    const [afterFirst] = await deliveriesOf(b, endpoint.id);
    expect(afterFirst).toMatchObject({ status: "pending", attempts: 1, last_error: "the endpoint answered HTTP 503" });
    expect(Date.parse(afterFirst!.next_attempt_at as string)).toBe(Date.parse(afterFirst!.last_attempt_at as string) + DEFAULT_WEBHOOK_RETRY_DELAYS_MS[0]!);

    // Not before its time: the clock stands still, so nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(receiver.received).toHaveLength(1);

    t.clock.advance(DEFAULT_WEBHOOK_RETRY_DELAYS_MS[0]!);
    await receiver.arrived(2);
    await t.services.webhookDispatcher.idle();
    t.clock.advance(DEFAULT_WEBHOOK_RETRY_DELAYS_MS[1]!);
    await receiver.arrived(3);

    const ids = new Set(receiver.received.map((delivery) => delivery.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    expect(receiver.received.map((delivery) => delivery.answeredWith)).toEqual([503, 503, 200]);
    // Each attempt carries its own timestamp and a signature over it.
    for (const delivery of receiver.received) expect(verified(delivery, endpoint.secret, t.clock.now()).type).toBe("key.revoked");
    const [entry] = await until(async () => {
      const entries = await deliveriesOf(b, endpoint.id);
      return entries[0]?.status === "succeeded" ? entries : undefined;
    });
    expect(entry).toMatchObject({ attempts: 3, last_status_code: 200, next_attempt_at: null });
  });

  it("after the last attempt of the schedule a delivery is failed; a redelivery sends it again with the same webhook-id", async () => {
    receiver = await startWebhookReceiver();
    // Its own app: the day it moves the clock through is no other test's.
    const t = await createTestApp({ target, env: WEBHOOK_ENV });
    t.services.webhookDispatcher.start();
    try {
      receiver.failNext(1000, 500);
      const b = await signedUp(t);
      const endpoint = await registerEndpoint(b, receiver.url, ["key.created"]);
      await b.request("POST", "/api/keys", { name: "k", mode: "test" });
      const attempts = DEFAULT_WEBHOOK_RETRY_DELAYS_MS.length + 1;
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        await receiver.arrived(attempt);
        await t.services.webhookDispatcher.idle();
        if (attempt < attempts) t.clock.advance(DEFAULT_WEBHOOK_RETRY_DELAYS_MS[attempt - 1]!);
      }
      const [failed] = await until(async () => {
        const entries = await deliveriesOf(b, endpoint.id);
        return entries[0]?.status === "failed" ? entries : undefined;
      });
      expect(failed).toMatchObject({ attempts: attempts, next_attempt_at: null, last_error: "the endpoint answered HTTP 500" });
      // About a day of retries in all.
      const span = Date.parse(failed!.last_attempt_at as string) - Date.parse(failed!.created_at as string);
      expect(span).toBeGreaterThan(20 * 3_600_000);
      expect(span).toBeLessThan(30 * 3_600_000);
      t.clock.advance(3_600_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.received).toHaveLength(attempts);

      receiver.failNext(0);
      const redelivered = await b.request("POST", `/api/webhooks/${endpoint.id}/deliveries/${failed!.id}/redeliver`);
      expect(redelivered.statusCode).toBe(202);
      expect(redelivered.json()).toMatchObject({ id: failed!.id, status: "pending", attempts: 0 });
      await receiver.arrived(attempts + 1);
      const last = receiver.received.at(-1)!;
      expect(last.headers["webhook-id"]).toBe(receiver.received[0]!.headers["webhook-id"]);
      expect(last.answeredWith).toBe(200);
      await until(async () => (await deliveriesOf(b, endpoint.id))[0]?.status === "succeeded");
    } finally {
      await t.dispose();
    }
  });

  it("a rolled secret signs deliveries next to the new one for its grace period, then stops", async () => {
    receiver = await startWebhookReceiver();
    const b = await signedUp(t);
    const endpoint = await registerEndpoint(b, receiver.url, ["key.created"]);
    const rolled = await b.request("POST", `/api/webhooks/${endpoint.id}/roll-secret`, { grace_seconds: 3600 });
    expect(rolled.statusCode).toBe(200);
    const { secret } = rolled.json();
    expect(secret).not.toBe(endpoint.secret);
    expect(Date.parse(rolled.json().previous_secret_expires_at)).toBe(t.clock.now() + 3_600_000);

    await b.request("POST", "/api/keys", { name: "a", mode: "test" });
    await receiver.arrived(1);
    const during = receiver.received[0]!;
    expect(during.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(verified(during, secret, t.clock.now()).type).toBe("key.created");
    expect(verified(during, endpoint.secret, t.clock.now()).type).toBe("key.created");

    t.clock.advance(3_600_000);
    await b.request("POST", "/api/keys", { name: "b", mode: "test" });
    await receiver.arrived(2);
    const after = receiver.received[1]!;
    expect(after.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verified(after, secret, t.clock.now()).type).toBe("key.created");
    expect(() => verified(after, endpoint.secret, t.clock.now())).toThrow("No matching signature found");
  });
});

describe.each(storageTargets())("webhook deliveries across restarts and instances on $name", (target) => {
  let receiver: WebhookReceiver;
  afterEach(async () => {
    await receiver?.close();
  });

  it("a restart with pending deliveries loses none: the new process delivers them", async () => {
    receiver = await startWebhookReceiver();
    const first = await createTestApp({ target, env: WEBHOOK_ENV });
    // The first process never delivers (its dispatcher is not started): everything stays pending in the database.
    const b = await signedUp(first);
    const endpoint = await registerEndpoint(b, receiver.url, ["key.created", "key.revoked"]);
    for (let index = 0; index < 5; index += 1) await b.request("POST", "/api/keys", { name: `k${index}`, mode: "test" });
    await first.app.close();
    await first.services.close();

    const second = await createTestApp({ shareStorageWith: first, env: WEBHOOK_ENV });
    try {
      second.services.webhookDispatcher.start();
      await receiver.arrived(5);
      await second.services.webhookDispatcher.idle();
      const names = receiver.received.map((delivery) => (verified(delivery, endpoint.secret).data.key as { name: string }).name);
      expect(names.sort()).toEqual(["k0", "k1", "k2", "k3", "k4"]);
      expect(new Set(receiver.received.map((delivery) => delivery.headers["webhook-id"])).size).toBe(5);
    } finally {
      await second.dispose();
      await first.opened.dispose().catch(() => undefined);
    }
  });

  it("a delivery claimed by a process that died is attempted again, with the same webhook-id, once its lease ends", async () => {
    receiver = await startWebhookReceiver();
    const t = await createTestApp({ target, env: WEBHOOK_ENV });
    try {
      const b = await signedUp(t);
      await registerEndpoint(b, receiver.url, ["key.created"]);
      await b.request("POST", "/api/keys", { name: "k", mode: "test" });
      // A process claims it and dies before it sends anything.
      const [claim] = await t.services.storage.webhooks.claimDue(t.clock.now(), 60_000, 10);
      expect(claim).toBeDefined();
      t.services.webhookDispatcher.start();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(receiver.received).toHaveLength(0);
      t.clock.advance(60_000);
      await receiver.arrived(1);
      expect(receiver.received[0]!.headers["webhook-id"]).toBe(claim!.messageId);
      // The dead holder's late outcome changes nothing.
      await t.services.webhookDispatcher.idle();
      expect(
        await t.services.storage.webhooks.recordAttempt(claim!, { outcome: { delivered: false, statusCode: 500, error: "late" }, retryAt: 1 }, t.clock.now()),
      ).toBe(false);
      expect((await t.services.storage.webhooks.getDelivery(claim!.id))!.status).toBe("succeeded");
    } finally {
      await t.dispose();
    }
  });

  it("two instances on one database never attempt one delivery twice", async () => {
    receiver = await startWebhookReceiver();
    receiver.delayMs = 30;
    const a = await createTestApp({ target, env: { ...WEBHOOK_ENV, BENTOO_WEBHOOKS_CONCURRENCY: "4" } });
    const c = await createTestApp({ shareStorageWith: a, env: { ...WEBHOOK_ENV, BENTOO_WEBHOOKS_CONCURRENCY: "4" } });
    try {
      const b = await signedUp(a);
      const endpoint = await registerEndpoint(b, receiver.url, ["key.created"]);
      const count = 24;
      for (let index = 0; index < count; index += 1) await b.request("POST", "/api/keys", { name: `k${index}`, mode: "test" });
      a.services.webhookDispatcher.start();
      c.services.webhookDispatcher.start();
      await receiver.arrived(count);
      await Promise.all([a.services.webhookDispatcher.idle(), c.services.webhookDispatcher.idle()]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ids = receiver.received.map((delivery) => delivery.headers["webhook-id"]);
      expect(ids).toHaveLength(count);
      expect(new Set(ids).size).toBe(count);
      const log = await deliveriesOf(b, endpoint.id);
      expect(log.every((entry) => entry.status === "succeeded" && entry.attempts === 1)).toBe(true);
    } finally {
      await c.dispose();
      await a.dispose();
    }
  });
});
