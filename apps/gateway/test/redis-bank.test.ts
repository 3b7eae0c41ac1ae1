import { describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { testRedisUrl } from "@bentoo/test-kit";
import { scriptCountingSuite } from "./redis-helpers.js";
import { RedisCreditBank } from "../src/credits/redis-bank.js";

const redisUrl = testRedisUrl();

/** The shared bank against a real Redis: holds and settlements of one turn travel together, with the outcomes of separate calls. */
describe.skipIf(redisUrl === undefined)("RedisCreditBank", () => {
  const suite = scriptCountingSuite(redisUrl!);
  const { prefix } = suite;

  it("decides an account's holds of one turn in one call, in order, as separate calls would", async () => {
    const bank = new RedisCreditBank(suite.redis, async () => 1_000, prefix);
    await bank.available("acct_turn"); // loads nothing yet: not in Redis, read from storage
    suite.resetCount();
    const outcomes = await Promise.all([300, 300, 300, 300, 50].map((amount) => bank.reserve("acct_turn", amount)));
    // One call found the balance missing, one loaded it, one decided all five.
    expect(suite.scriptCalls()).toBe(3);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true, false, true]);
    expect(outcomes.map((outcome) => outcome.availableMicros)).toEqual([700, 400, 100, 100, 50]);
    expect(await bank.available("acct_turn")).toBe(50);

    suite.resetCount();
    const holds = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.hold] : []));
    // Charges 100, 200, 400 (capped at its 300 hold) and 0: 600 spent in all, one call.
    await Promise.all(holds.map((hold, index) => bank.settle(hold, [100, 200, 400, 0][index]!)));
    expect(suite.scriptCalls()).toBe(1);
    expect(await bank.available("acct_turn")).toBe(400);
  });

  it("settles holds from before and after a reload apart: the reloaded balance never contained the old hold", async () => {
    let stored = 1_000;
    const bank = new RedisCreditBank(suite.redis, async () => stored, prefix);
    const before = await bank.reserve("acct_epoch", 300);
    if (!before.ok) throw new Error("the first hold must fit");
    await suite.redis.del(`${prefix}credit:{acct_epoch}`); // expired, or Redis restarted
    stored = 1_000; // storage has not seen the hold
    const after = await bank.reserve("acct_epoch", 200);
    if (!after.ok) throw new Error("the second hold must fit");
    expect(after.hold.epoch).not.toBe(before.hold.epoch);
    suite.resetCount();
    await Promise.all([bank.settle(before.hold, 100), bank.settle(after.hold, 50)]);
    expect(suite.scriptCalls()).toBe(2);
    // 1,000 reloaded − 200 held; then the old hold's charge (100) is taken, the new hold gives back 150.
    expect(await bank.available("acct_epoch")).toBe(850);
  });

  it("a failed call rejects every hold of its batch", async () => {
    const dead = new Redis({ host: "127.0.0.1", port: 1, enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    dead.on("error", () => undefined);
    try {
      const bank = new RedisCreditBank(dead, async () => 1_000, prefix);
      const outcomes = await Promise.allSettled([bank.reserve("acct_dead", 1), bank.reserve("acct_dead", 2)]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "rejected"]);
    } finally {
      dead.disconnect();
    }
  });
});
