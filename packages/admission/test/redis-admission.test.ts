import { once } from "node:events";
import { deleteKeysUnder, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdmissionDecision, type LimitSpec, MemoryAdmission, RedisAdmission } from "../src/index.js";
import { connectTestRedis, nextRequestId, type ReportedError, StoredBalances, seededRandom, ticketOf } from "./helpers.js";

const redisUrl = testRedisUrl();

/** What only the Redis implementation promises: a shared server clock, its keys and their expiry, balance epochs, failing fast. */
describe.skipIf(redisUrl === undefined)("RedisAdmission", () => {
  const keyPrefix = testRedisPrefix();
  let redis: Redis;

  beforeAll(async () => {
    redis = await connectTestRedis(redisUrl!);
  });
  afterAll(async () => {
    await deleteKeysUnder(redis, keyPrefix);
    await redis.quit();
  });

  const spec: LimitSpec = { requestsPerMinute: 3, tokensPerMinute: 1000 };
  function open(options: { client?: Redis; now?: () => number } = {}) {
    const stored = new StoredBalances();
    const errors: ReportedError[] = [];
    const admission = new RedisAdmission({
      redis: options.client ?? redis,
      keyPrefix,
      loadBalance: stored.load,
      onError: (error, failure) => errors.push({ error, failure }),
      now: options.now,
    });
    return { admission, stored, errors };
  }

  it("uses Redis TIME when no clock is given: 5 quick admissions at 3 per minute admit exactly 3", async () => {
    const { admission } = open();
    const decisions = [];
    for (let index = 0; index < 5; index += 1)
      decisions.push(await admission.admit({ requestId: nextRequestId(), accountId: "acct_time", limits: spec, tokens: 1, holdMicros: 0 }));
    expect(decisions.map((decision) => decision.admitted)).toEqual([true, true, true, false, false]);
    const refused = decisions[4]!;
    // One request refills every 20 s; a few ms of real time passed since the first admission.
    if (refused.admitted || refused.refusedBy === "credits" || refused.refusedBy === "key_budget") throw new Error("expected a refusal by the rate limits");
    expect(refused.retryAfterMs).toBeGreaterThan(19_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it("keeps an account's state under hash-tagged keys that expire about when its buckets are full, and a day after the last hold", async () => {
    const { admission, stored } = open();
    stored.set("acct_ttl", 1_000);
    const keys = admission.keysFor("acct_ttl");
    expect(keys).toEqual({
      requests: `${keyPrefix}rl:{acct_ttl}:req`,
      tokens: `${keyPrefix}rl:{acct_ttl}:tok`,
      balance: `${keyPrefix}credit:{acct_ttl}`,
      holds: `${keyPrefix}holds:{acct_ttl}`,
      leases: `${keyPrefix}leases:{acct_ttl}`,
      marks: `${keyPrefix}settled:{acct_ttl}`,
      spend: `${keyPrefix}keyspend:{acct_ttl}`,
    });
    const decision = await admission.admit({ requestId: nextRequestId(), accountId: "acct_ttl", limits: spec, tokens: 100, holdMicros: 250 });
    const { requests, tokens } = decision.rateLimits;
    expect(await redis.pttl(keys.requests)).toBeGreaterThan(requests.resetMs - 1000);
    expect(await redis.pttl(keys.requests)).toBeLessThanOrEqual(requests.resetMs + 1000);
    expect(await redis.pttl(keys.tokens)).toBeGreaterThan(tokens.resetMs - 1000);
    expect(await redis.pttl(keys.tokens)).toBeLessThanOrEqual(tokens.resetMs + 1000);
    expect(await redis.hget(keys.balance, "b")).toBe("750");
    expect(await redis.pttl(keys.balance)).toBeGreaterThan(24 * 3600 * 1000 - 60_000);
    // A full bucket is not stored at all: giving back every token deletes the key.
    admission.settle(ticketOf(decision), { tokens: 0, chargedMicros: 0 });
    await admission.flush();
    expect(await redis.exists(keys.tokens)).toBe(0);
    expect(await redis.hget(keys.balance, "b")).toBe("1000");
  });

  it("a balance reloaded since the holds gives back nothing of them: only their charges are taken", async () => {
    const { admission, stored } = open();
    stored.set("acct_reload", 1_000);
    const limits: LimitSpec = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
    const before = ticketOf(await admission.admit({ requestId: nextRequestId(), accountId: "acct_reload", limits, tokens: 1, holdMicros: 300 }));
    await redis.del(admission.keysFor("acct_reload").balance); // expired, or Redis restarted; storage has not seen the hold
    const after = ticketOf(await admission.admit({ requestId: nextRequestId(), accountId: "acct_reload", limits, tokens: 1, holdMicros: 200 }));
    expect(after.epoch).not.toBe(before.epoch);
    admission.settle(before, { tokens: 1, chargedMicros: 100 });
    admission.settle(after, { tokens: 1, chargedMicros: 50 });
    await admission.flush();
    // 1,000 reloaded − 200 held; then the old hold's charge (100) is taken, the new hold gives back 150.
    expect(await admission.available("acct_reload")).toBe(850);
  });

  it("drops its copy of a balance when a grant could not reach it, so the next hold reloads it from storage", async () => {
    const client = await connectTestRedis(redisUrl!);
    try {
      const { admission, stored } = open({ client });
      stored.set("acct_stale", 1_000);
      const limits: LimitSpec = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
      await admission.admit({ requestId: nextRequestId(), accountId: "acct_stale", limits, tokens: 1, holdMicros: 100 });
      const ended = once(client, "end");
      client.disconnect();
      await ended;
      stored.set("acct_stale", 1_500); // the ledger has the grant
      await expect(admission.granted("acct_stale", 500)).rejects.toThrow();
      await client.connect();
      // Reloaded: the ledger's 1,500 less the hold still open.
      expect(await admission.admit({ requestId: nextRequestId(), accountId: "acct_stale", limits, tokens: 1, holdMicros: 1_400 })).toMatchObject({
        admitted: true,
      });
      expect(await admission.available("acct_stale")).toBe(0);
      await admission.close();
    } finally {
      client.disconnect();
    }
  });

  it("keeps working after the server forgot its scripts (SCRIPT FLUSH, or a restart)", async () => {
    const { admission } = open();
    expect((await admission.admit({ requestId: nextRequestId(), accountId: "acct_noscript", limits: spec, tokens: 1, holdMicros: 0 })).admitted).toBe(true);
    await redis.script("FLUSH");
    expect(
      (await admission.admit({ requestId: nextRequestId(), accountId: "acct_noscript", limits: spec, tokens: 1, holdMicros: 0 })).rateLimits.requests.remaining,
    ).toBe(1);
  });

  it("with Redis unreachable, rejects admissions and grants quickly, and reports settlements to onError", async () => {
    const dead = new Redis({ host: "127.0.0.1", port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    dead.on("error", () => undefined); // connection errors are expected here
    try {
      const { admission, errors } = open({ client: dead });
      const started = Date.now();
      const outcomes = await Promise.allSettled([
        admission.admit({ requestId: nextRequestId(), accountId: "acct_dead", limits: spec, tokens: 1, holdMicros: 10 }),
        admission.admit({ requestId: nextRequestId(), accountId: "acct_dead", limits: spec, tokens: 1, holdMicros: 0 }),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
      await expect(admission.granted("acct_dead", 5)).rejects.toThrow();
      admission.settle({ requestId: "req_dead", accountId: "acct_dead", limits: spec, tokens: 5, holdMicros: 10, epoch: "e" }, { tokens: 4, chargedMicros: 5 });
      await admission.flush();
      expect(errors).toHaveLength(1);
      expect(errors[0]!.failure).toEqual({ accountId: "acct_dead", settlements: 1, heldMicros: 10, chargedMicros: 5 });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      dead.disconnect();
    }
  });

  it("decides a turn's admissions and settlements, taken together, exactly as the memory implementation decides them one by one", async () => {
    let clock = 1_700_000_000_000;
    const shared = open({ now: () => clock });
    const stored = new StoredBalances();
    const memory = new MemoryAdmission({ loadBalance: stored.load, onError: () => undefined, now: () => clock });
    const random = seededRandom(7);
    const limits: LimitSpec = { requestsPerMinute: 5, tokensPerMinute: 1_000 };
    for (const accountId of ["acct_turn_a", "acct_turn_b"]) {
      shared.stored.set(accountId, 3_000);
      stored.set(accountId, 3_000);
    }
    const seen = new Set<string>();
    for (let turn = 0; turn < 40; turn += 1) {
      clock += random(2_000);
      // Two accounts interleaved; sizes chosen so that every limit refuses some and a small request passes after a big one is refused.
      const requests = Array.from({ length: 1 + random(8) }, () => ({
        requestId: nextRequestId(),
        accountId: random(2) === 0 ? "acct_turn_a" : "acct_turn_b",
        limits,
        tokens: random(400),
        holdMicros: random(2) * random(800),
      }));
      const expected: AdmissionDecision[] = [];
      for (const request of requests) expected.push(await memory.admit(request));
      const decided = await Promise.all(requests.map((request) => shared.admission.admit(request)));
      expect(
        decided.map(({ admitted, rateLimits }) => ({ admitted, rateLimits })),
        `turn ${turn}`,
      ).toEqual(expected.map(({ admitted, rateLimits }) => ({ admitted, rateLimits })));
      for (const decision of expected) seen.add(decision.admitted ? "admitted" : decision.refusedBy);
      // Everything admitted settles in one turn: summed per account and epoch by Redis, one by one in memory.
      decided.forEach((decision, index) => {
        const settlement = { tokens: random(500), chargedMicros: random(900) };
        if (decision.admitted) shared.admission.settle(decision.ticket, settlement);
        const local = expected[index]!;
        if (local.admitted) memory.settle(local.ticket, settlement);
      });
      await shared.admission.flush();
    }
    for (const accountId of ["acct_turn_a", "acct_turn_b"]) expect(await shared.admission.available(accountId)).toBe(await memory.available(accountId));
    expect([...seen].sort()).toEqual(["admitted", "credits", "requests", "tokens"]);
  });
});
