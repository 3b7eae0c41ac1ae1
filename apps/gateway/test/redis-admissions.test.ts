import { describe, expect, it, vi } from "vitest";
import { Redis } from "ioredis";
import pino from "pino";
import { RedisRateLimiter, admitBuckets, type BucketState, type LimitSpec } from "@bentoo/ratelimit";
import { testRedisUrl } from "@bentoo/test-kit";
import { scriptCountingSuite } from "./redis-helpers.js";
import { RedisAdmissions, type JointDecision } from "../src/chat/redis-admissions.js";
import { RedisCreditBank } from "../src/credits/redis-bank.js";

const redisUrl = testRedisUrl();
const NOW = 1_700_000_000_000;

/** Rate limits and credit holds decided by one script per account and turn, against a real Redis. */
describe.skipIf(redisUrl === undefined)("RedisAdmissions", () => {
  const suite = scriptCountingSuite(redisUrl!);
  const { prefix } = suite;

  function open(balance: () => number, logger = pino({ level: "silent" })) {
    const limiter = new RedisRateLimiter({ redis: suite.redis, keyPrefix: prefix, now: () => NOW });
    const bank = new RedisCreditBank(suite.redis, async () => balance(), prefix);
    return { limiter, bank, admissions: new RedisAdmissions({ redis: suite.redis, limiter, bank, logger, now: () => NOW }) };
  }

  const summary = ({ decision, held }: JointDecision) => ({
    limitedBy: decision.limitedBy,
    requests: decision.requests.remaining,
    tokens: decision.tokens.remaining,
    held: held === null ? null : held.ok ? held.hold.amountMicros : "refused",
    available: held?.availableMicros ?? null,
  });

  it("decides an account's requests of one turn in one call, in order; a refused request takes nothing", async () => {
    const { bank, admissions } = open(() => 1_000);
    const limits: LimitSpec = { requestsPerMinute: 3, tokensPerMinute: 100 };
    suite.resetCount();
    const decisions = await Promise.all(
      [
        [10, 300],
        [10, 800], // does not fit the 700 left: neither the request nor its tokens are taken
        [10, 700], // exactly what is left
        [10, 0], // a test key: no hold
        [10, 300], // the fourth request of a 3-a-minute limit: no hold is taken either
      ].map(([tokens, hold]) => admissions.admit("acct_joint", limits, tokens!, hold!)),
    );
    // One call found the balance missing, one loaded it, one decided all five.
    expect(suite.scriptCalls()).toBe(3);
    expect(decisions.map(summary)).toEqual([
      { limitedBy: null, requests: 2, tokens: 90, held: 300, available: 700 },
      { limitedBy: null, requests: 2, tokens: 90, held: "refused", available: 700 },
      { limitedBy: null, requests: 1, tokens: 80, held: 700, available: 0 },
      { limitedBy: null, requests: 0, tokens: 70, held: null, available: null },
      { limitedBy: "requests", requests: 0, tokens: 70, held: null, available: null },
    ]);
    expect(decisions[4]!.decision.retryAfterMs).toBeGreaterThan(0);
    expect(await bank.available("acct_joint")).toBe(0);

    // The settlements of a turn: one call for the token corrections and the holds together.
    const holds = decisions.flatMap(({ held }) => (held?.ok === true ? [held.hold] : []));
    suite.resetCount();
    admissions.settle("acct_joint", limits, -5, holds[0]!, 100);
    admissions.settle("acct_joint", limits, 20, holds[1]!, 900);
    admissions.settle("acct_joint", limits, -10, null, 0);
    await admissions.flush();
    expect(suite.scriptCalls()).toBe(2); // the test key's settlement has no epoch: a call of its own
    // 0 + (300 − 100) + (700 − 700: the charge is capped at the hold); 30 tokens taken, −15 + 20 corrected: 35 used of 100.
    expect(await bank.available("acct_joint")).toBe(200);
    const next = await admissions.admit("acct_joint", { requestsPerMinute: 4, tokensPerMinute: 100 }, 0, 0);
    expect(next.decision.tokens.remaining).toBe(65);
  });

  it("decides as the limiter's admit rule and the balance would, request after request", async () => {
    // A seeded generator: the same sequence each run, so a failure can be replayed.
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    const { admissions } = open(() => 3_000);
    const limits: LimitSpec = { requestsPerMinute: 20, tokensPerMinute: 2_000 };
    const seen = new Map<string, number>();
    let requests: BucketState = { used: 0, at: NOW };
    let tokens: BucketState = { used: 0, at: NOW };
    let balance = 3_000;
    for (let turn = 0; turn < 20; turn += 1) {
      const batch = Array.from({ length: 1 + random(6) }, () => ({ tokens: random(200), hold: random(3) === 0 ? 0 : 100 + random(900) }));
      const decisions = await Promise.all(batch.map(({ tokens: wanted, hold }) => admissions.admit("acct_model", limits, wanted, hold)));
      batch.forEach(({ tokens: wanted, hold }, index) => {
        const rule = admitBuckets(requests, tokens, limits, wanted);
        const fits = hold === 0 || balance >= hold;
        const { decision, held } = decisions[index]!;
        expect(decision.limitedBy).toBe(rule.decision.limitedBy);
        expect(decision.retryAfterMs).toBe(rule.decision.retryAfterMs);
        if (rule.decision.allowed && fits) {
          requests = rule.requests;
          tokens = rule.tokens;
          balance -= hold;
        }
        expect(decision.requests.remaining).toBe(Math.max(0, Math.floor((20 * 60_000 - requests.used) / 60_000)));
        expect(decision.tokens.remaining).toBe(Math.max(0, Math.floor((2_000 * 60_000 - tokens.used) / 60_000)));
        const kind = rule.decision.limitedBy ?? (fits ? (hold === 0 ? "no hold" : "held") : "credits");
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        const expected = hold === 0 || !rule.decision.allowed ? null : fits ? { ok: true, availableMicros: balance } : { ok: false, availableMicros: balance };
        expect(held === null ? null : { ok: held.ok, availableMicros: held.availableMicros }).toEqual(expected);
      });
    }
    // The sequence reached every outcome (else the comparison proved less than it claims).
    expect([...seen.keys()].sort()).toEqual(["credits", "held", "no hold", "requests", "tokens"]);
  });

  it("applies a turn's token refunds before its charges, so the bucket is the stricter", async () => {
    const { admissions } = open(() => 1_000);
    const limits: LimitSpec = { requestsPerMinute: 100, tokensPerMinute: 1_000 };
    await admissions.admit("acct_order", limits, 10, 0);
    // 10 used: −30 empties the bucket (it cannot go below full), then +5 leaves 5 used.
    // Summed, or charged first, the bucket would end full.
    admissions.settle("acct_order", limits, -30, null, 0);
    admissions.settle("acct_order", limits, 5, null, 0);
    await admissions.flush();
    expect((await admissions.admit("acct_order", limits, 0, 0)).decision.tokens.remaining).toBe(995);
  });

  it("a balance reloaded since the holds gives back nothing of them: only their charges are taken", async () => {
    let stored = 1_000;
    const { bank, admissions } = open(() => stored);
    const limits: LimitSpec = { requestsPerMinute: 100, tokensPerMinute: 10_000 };
    const before = await admissions.admit("acct_reload", limits, 1, 300);
    if (before.held?.ok !== true) throw new Error("the first hold must fit");
    await suite.redis.del(`${prefix}credit:{acct_reload}`); // expired, or Redis restarted
    stored = 1_000; // storage has not seen the hold
    const after = await admissions.admit("acct_reload", limits, 1, 200);
    if (after.held?.ok !== true) throw new Error("the second hold must fit");
    expect(after.held.hold.epoch).not.toBe(before.held.hold.epoch);
    admissions.settle("acct_reload", limits, 0, before.held.hold, 100);
    admissions.settle("acct_reload", limits, 0, after.held.hold, 50);
    await admissions.flush();
    // 1,000 reloaded − 200 held; then the old hold's charge (100) is taken, the new hold gives back 150.
    expect(await bank.available("acct_reload")).toBe(850);
  });

  it("with Redis unreachable, admissions reject and a settlement is logged, not thrown", async () => {
    const dead = new Redis({ host: "127.0.0.1", port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    dead.on("error", () => undefined);
    const logger = pino({ level: "silent" });
    const logged = vi.spyOn(logger, "error");
    try {
      const limiter = new RedisRateLimiter({ redis: dead, keyPrefix: prefix });
      const admissions = new RedisAdmissions({ redis: dead, limiter, bank: new RedisCreditBank(dead, async () => 1_000, prefix), logger });
      const limits: LimitSpec = { requestsPerMinute: 10, tokensPerMinute: 1_000 };
      const outcomes = await Promise.allSettled([admissions.admit("acct_dead", limits, 1, 10), admissions.admit("acct_dead", limits, 1, 0)]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
      admissions.settle("acct_dead", limits, -1, { accountId: "acct_dead", amountMicros: 10, epoch: "e" }, 5);
      await admissions.flush();
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ accountId: "acct_dead", heldMicros: 10, chargedMicros: 5 }), "could not settle credit holds and token reservations");
    } finally {
      dead.disconnect();
    }
  });
});
