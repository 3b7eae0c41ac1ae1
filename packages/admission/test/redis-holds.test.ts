import { once } from "node:events";
import { deleteKeysUnder, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type KeyLimitSpec, type LimitSpec, type PendingCharge, RedisAdmission } from "../src/index.js";
import { connectTestRedis, nextRequestId, type ReportedError, StoredBalances, ticketOf } from "./helpers.js";

const redisUrl = testRedisUrl();
const limits: LimitSpec = { requestsPerMinute: 1_000, tokensPerMinute: 1_000_000 };

/**
 * Holds in Redis outlive neither their instance nor Redis' copy of the balance:
 * a dead instance's holds go back (its lease runs out, or its successor ends
 * them), a reloaded copy gets the live instances' holds and unwritten charges
 * again, and every charge is taken once.
 */
describe.skipIf(redisUrl === undefined)("RedisAdmission holds", () => {
  const keyPrefix = testRedisPrefix();
  let redis: Redis;
  let clock = 1_700_000_000_000;
  const opened: RedisAdmission[] = [];

  beforeAll(async () => {
    redis = await connectTestRedis(redisUrl!);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((admission) => admission.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await deleteKeysUnder(redis, keyPrefix);
    await redis.quit();
  });

  /** An instance on the shared test client; `pending` stands for its record writer's queued charges. */
  function open(options: { stored?: StoredBalances; leaseMs?: number; pinned?: boolean; client?: Redis; pending?: PendingCharge[] } = {}) {
    const stored = options.stored ?? new StoredBalances();
    const errors: ReportedError[] = [];
    const pending = options.pending ?? [];
    const admission = new RedisAdmission({
      redis: options.client ?? redis,
      keyPrefix,
      loadBalance: stored.load,
      loadSpent: stored.loadSpent,
      onError: (error, failure) => errors.push({ error, failure }),
      now: options.pinned === false ? undefined : () => clock,
      leaseMs: options.leaseMs,
      pendingCharges: () => pending,
    });
    opened.push(admission);
    const hold = (accountId: string, micros: number, requestId = nextRequestId(), key: KeyLimitSpec | null = null) =>
      admission.admit({ requestId, accountId, limits, tokens: 1, holdMicros: micros, key });
    const settle = async (decision: Awaited<ReturnType<typeof hold>>, chargedMicros: number) => {
      admission.settle(ticketOf(decision), { tokens: 1, chargedMicros });
      await admission.flush();
    };
    return { admission, stored, errors, pending, hold, settle };
  }

  /** What Redis loses on a restart without persistence, for one account: every key of it. */
  async function loseAccount(admission: RedisAdmission, accountId: string): Promise<void> {
    const keys = admission.keysFor(accountId);
    await redis.del(keys.balance, keys.holds, keys.leases, keys.marks, keys.requests, keys.tokens, keys.spend);
  }

  /** A key with a spend cap of `capMicros` for one day from the pinned clock's start. */
  const capped = (capMicros: number): KeyLimitSpec => ({
    keyId: "key_capped",
    requestsPerMinute: null,
    tokensPerMinute: null,
    budget: { lineageId: "key_capped", start: 1_699_920_000_000, end: 1_700_006_400_000, capMicros },
  });

  it("gives a dead instance's holds back once its lease ran out; its own holds never expire by its own calls", async () => {
    const stored = new StoredBalances();
    stored.set("acct_lease", 1_000);
    const dead = open({ stored, leaseMs: 10_000 });
    const live = open({ stored, leaseMs: 10_000 });
    const forgotten = await dead.hold("acct_lease", 600);
    expect(forgotten.admitted).toBe(true);
    clock += 9_999;
    expect((await live.hold("acct_lease", 600)).admitted).toBe(false); // the lease still stands
    clock += 1;
    const taken = await live.hold("acct_lease", 600);
    expect(taken.admitted).toBe(true); // the dead instance's 600 went back first
    expect(await live.admission.available("acct_lease")).toBe(400);
    // The live instance's hold outlives its own lease as long as only it calls.
    clock += 60_000;
    expect((await live.hold("acct_lease", 400)).admitted).toBe(true);
    expect(await live.admission.available("acct_lease")).toBe(0);
    // A late settlement of the released hold takes its charge alone, once.
    await dead.settle(forgotten, 100);
    await dead.settle(forgotten, 100);
    expect(await live.admission.available("acct_lease")).toBe(-100);
  });

  it("a live instance renews its lease, so its holds stand for as long as it lives", async () => {
    const stored = new StoredBalances();
    stored.set("acct_renew", 1_000);
    const holder = open({ stored, leaseMs: 200, pinned: false });
    const other = open({ stored, leaseMs: 200, pinned: false });
    expect((await holder.hold("acct_renew", 700)).admitted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await other.hold("acct_renew", 700)).admitted).toBe(false);
    await holder.admission.close(); // stops renewing, as a dead process would
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await other.hold("acct_renew", 700)).admitted).toBe(true);
  });

  it("a copy of the balance reloaded after Redis lost it includes the holds in flight and the charges not yet in storage", async () => {
    const stored = new StoredBalances();
    stored.set("acct_lost", 1_000);
    const { admission, hold, settle, pending } = open({ stored });
    const open1 = await hold("acct_lost", 300);
    const open2 = await hold("acct_lost", 300);
    const done = await hold("acct_lost", 300);
    await settle(done, 250);
    pending.push({ accountId: "acct_lost", requestId: ticketOf(done).requestId, chargedMicros: 250 }); // still queued for storage
    expect(await admission.available("acct_lost")).toBe(150);
    await loseAccount(admission, "acct_lost");
    // Reloaded from storage's 1,000 less 600 held and 250 charged: a 300 hold no longer fits.
    expect(await hold("acct_lost", 300)).toMatchObject({ admitted: false, refusedBy: "credits", availableMicros: 150 });
    const reloaded = ticketOf(await hold("acct_lost", 150));
    expect(reloaded.epoch).not.toBe(ticketOf(open1).epoch);
    // Holds of the old copy settle against the new one exactly once.
    await settle(open1, 100);
    await settle(open1, 100);
    await settle(open2, 300);
    expect(await admission.available("acct_lost")).toBe(200);
  });

  it("another instance registers its holds again when it next admits on a reloaded copy", async () => {
    const stored = new StoredBalances();
    stored.set("acct_shared", 1_000);
    const first = open({ stored });
    const second = open({ stored });
    await first.hold("acct_shared", 400);
    await loseAccount(first.admission, "acct_shared");
    // The second instance loads the copy without the first one's hold: the window the docs describe.
    expect((await second.hold("acct_shared", 500)).admitted).toBe(true);
    expect(await second.admission.available("acct_shared")).toBe(500);
    // The first instance's next admission registers its hold before it is decided.
    expect(await first.hold("acct_shared", 200)).toMatchObject({ admitted: false, availableMicros: 100 });
  });

  it("registers its holds again after a reconnect, before it admits more", async () => {
    const client = await connectTestRedis(redisUrl!);
    try {
      const stored = new StoredBalances();
      stored.set("acct_reconnect", 1_000);
      const { admission, hold } = open({ stored, client });
      await hold("acct_reconnect", 800);
      await loseAccount(admission, "acct_reconnect");
      const ended = once(client, "end");
      client.disconnect();
      await ended;
      const ready = once(client, "ready");
      await client.connect();
      await ready;
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Registered without a copy: whoever loads it next subtracts it.
      expect(await redis.hvals(admission.keysFor("acct_reconnect").holds)).toEqual([`800:${admission.instanceId}`]);
      const other = open({ stored });
      expect(await other.hold("acct_reconnect", 300)).toMatchObject({ admitted: false, availableMicros: 200 });
    } finally {
      client.disconnect();
    }
  });

  it("notices within a second that Redis lost everything (a flush) and registers its holds again", async () => {
    const stored = new StoredBalances();
    stored.set("acct_flushed", 1_000);
    const holder = open({ stored });
    await holder.hold("acct_flushed", 800);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // its alive key is written
    await deleteKeysUnder(redis, keyPrefix);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const other = open({ stored });
    expect(await other.hold("acct_flushed", 300)).toMatchObject({ admitted: false, availableMicros: 200 });
  });

  it("recovers a dead instance: replayed charges taken once whatever it had settled, its other holds given back", async () => {
    const stored = new StoredBalances();
    stored.set("acct_crash", 10_000);
    const dead = open({ stored });
    const settled = await dead.hold("acct_crash", 1_000); // answered and settled before the crash
    await dead.settle(settled, 400);
    const unsettled = await dead.hold("acct_crash", 1_000); // answered, its settlement never left
    const unanswered = await dead.hold("acct_crash", 1_000); // in flight at the crash: no charge
    expect(unanswered.admitted).toBe(true);
    const successor = open({ stored });
    expect(await successor.admission.available("acct_crash")).toBe(10_000 - 400 - 2_000);
    const charges = {
      instanceIds: [] as string[],
      charges: [
        { accountId: "acct_crash", requestId: ticketOf(settled).requestId, chargedMicros: 400, written: true },
        { accountId: "acct_crash", requestId: ticketOf(unsettled).requestId, chargedMicros: 700, written: true },
        { accountId: "acct_crash", requestId: "req_from_before_a_reload", chargedMicros: 50, written: true },
        { accountId: "acct_crash", requestId: "req_already_stored", chargedMicros: 30, written: false },
      ],
    };
    await successor.admission.recover(charges);
    await successor.admission.recover(charges);
    // 10,000 − 400 − 700 − 50, less the hold never answered.
    expect(await successor.admission.available("acct_crash")).toBe(7_850);
    await successor.admission.recover({ instanceIds: [dead.admission.instanceId], charges: [] });
    // The copy now equals storage's balance after the replay.
    expect(await successor.admission.available("acct_crash")).toBe(8_850);
    // A second start that replays the same journal changes nothing.
    await successor.admission.recover({ instanceIds: [dead.admission.instanceId], charges: charges.charges });
    expect(await successor.admission.available("acct_crash")).toBe(8_850);
    expect(await redis.hlen(successor.admission.keysFor("acct_crash").holds)).toBe(0);
    expect(await redis.exists(`${keyPrefix}instance:${dead.admission.instanceId}:accounts`)).toBe(0);
  });

  it("gives a dead instance's holds back to a key's spend cap once its lease ran out, and takes a late charge from it once", async () => {
    const stored = new StoredBalances();
    stored.set("acct_cap_lease", 100_000);
    const dead = open({ stored, leaseMs: 10_000 });
    const live = open({ stored, leaseMs: 10_000 });
    const forgotten = await dead.hold("acct_cap_lease", 600, nextRequestId(), capped(1_000));
    expect(forgotten.admitted).toBe(true);
    expect(await live.hold("acct_cap_lease", 600, nextRequestId(), capped(1_000))).toMatchObject({
      admitted: false,
      refusedBy: "key_budget",
      availableMicros: 400,
    });
    clock += 10_000;
    expect((await live.hold("acct_cap_lease", 600, nextRequestId(), capped(1_000))).admitted).toBe(true);
    // The released hold's request settles late: its charge counts against the cap, once.
    dead.admission.settle(ticketOf(forgotten), { tokens: 1, chargedMicros: 300 });
    await dead.admission.flush();
    dead.admission.settle(ticketOf(forgotten), { tokens: 1, chargedMicros: 300 });
    await dead.admission.flush();
    expect(await live.hold("acct_cap_lease", 101, nextRequestId(), capped(1_000))).toMatchObject({ admitted: false, availableMicros: 100 });
  });

  it("a spend-cap count reloaded after Redis lost it starts from storage plus the holds registered again", async () => {
    const stored = new StoredBalances();
    stored.set("acct_cap_lost", 100_000);
    stored.setSpent("key_capped", 1_699_920_000_000, 100);
    const first = open({ stored });
    const second = open({ stored });
    await first.hold("acct_cap_lost", 300, nextRequestId(), capped(1_000));
    await loseAccount(first.admission, "acct_cap_lost");
    // The first instance registers its hold again before its next decision: 100 spent + 300 held.
    expect(await first.hold("acct_cap_lost", 601, nextRequestId(), capped(1_000))).toMatchObject({ refusedBy: "key_budget", availableMicros: 600 });
    // A count loaded by another instance includes the holds registered there.
    await redis.hdel(first.admission.keysFor("acct_cap_lost").spend, `key_capped:1699920000000:1700006400000`);
    expect(await second.hold("acct_cap_lost", 601, nextRequestId(), capped(1_000))).toMatchObject({ refusedBy: "key_budget", availableMicros: 600 });
    expect((await second.hold("acct_cap_lost", 600, nextRequestId(), capped(1_000))).admitted).toBe(true);
  });

  it("sends a settlement that failed again after reconnecting, and takes its charge once", async () => {
    const client = await connectTestRedis(redisUrl!);
    try {
      const stored = new StoredBalances();
      stored.set("acct_retry", 1_000);
      const { admission, hold, errors } = open({ stored, client });
      const decision = await hold("acct_retry", 500);
      const ended = once(client, "end");
      client.disconnect();
      await ended;
      admission.settle(ticketOf(decision), { tokens: 1, chargedMicros: 200 });
      await admission.flush();
      expect(errors).toHaveLength(1);
      const ready = once(client, "ready");
      await client.connect();
      await ready;
      await new Promise((resolve) => setTimeout(resolve, 50));
      await admission.flush();
      expect(await admission.available("acct_retry")).toBe(800);
    } finally {
      client.disconnect();
    }
  });
});
