import { describe, expect, it } from "vitest";
import { TurnBatcher } from "../src/redis/turn-batcher.js";

describe("TurnBatcher", () => {
  it("hands each key's items of one turn to send once, in order, and answers each caller with its own result", async () => {
    const sent: Array<[string, number[]]> = [];
    const batcher = new TurnBatcher<number, string>(async (key, items) => {
      sent.push([key, items]);
      return items.map((item) => `${key}:${item * 10}`);
    });
    const answers = await Promise.all([batcher.add("a", 1), batcher.add("b", 2), batcher.add("a", 3)]);
    expect(answers).toEqual(["a:10", "b:20", "a:30"]);
    expect(sent).toEqual([
      ["a", [1, 3]],
      ["b", [2]],
    ]);
    // The next turn is a new batch.
    expect(await batcher.add("a", 4)).toBe("a:40");
    expect(sent).toHaveLength(3);
  });

  it("flushes every batcher with work in the same callback, so that their sends leave in one tick", async () => {
    let ticks = 0;
    const seen: string[] = [];
    const sender = (name: string) => async (_key: string, items: number[]) => {
      seen.push(`${name} in tick ${ticks}`);
      process.nextTick(() => (ticks += 1)); // runs once the current synchronous run ends
      return items;
    };
    const limits = new TurnBatcher<number, number>(sender("limits"));
    const credits = new TurnBatcher<number, number>(sender("credits"));
    await Promise.all([limits.add("acct", 1), credits.add("acct", 2)]);
    expect(seen).toEqual(["limits in tick 0", "credits in tick 0"]);
  });

  it("a deferring batcher rides along with the next flush of another, or sends on its own after deferMs", async () => {
    const sent: string[] = [];
    const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
    const settlements = new TurnBatcher<number, number>(
      async (_key, items) => {
        sent.push(`settle ${items.join(",")}`);
        return items;
      },
      { deferMs: 40 },
    );
    const admissions = new TurnBatcher<number, number>(async (_key, items) => {
      sent.push(`admit ${items.join(",")}`);
      return items;
    });

    const alone = settlements.add("acct", 1);
    await endOfTurn();
    await endOfTurn();
    expect(sent).toEqual([]); // nothing else flushed: it waits
    const started = performance.now();
    await alone;
    expect(sent).toEqual(["settle 1"]);
    expect(performance.now() - started).toBeGreaterThan(20);

    const riding = settlements.add("acct", 2);
    await endOfTurn();
    expect(sent).toEqual(["settle 1"]);
    await Promise.all([admissions.add("acct", 3), riding]);
    expect(sent).toEqual(["settle 1", "settle 2", "admit 3"]); // one callback: one socket write on Redis
    expect(() => new TurnBatcher(async () => [], { deferMs: -1 })).toThrow(RangeError);
  });

  it("splits a large group into chunks of at most maxBatch", async () => {
    const sizes: number[] = [];
    const batcher = new TurnBatcher<number, number>(
      async (_key, items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 4 },
    );
    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.add("k", index)));
    expect(answers).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it("rejects every caller of a failed chunk with its error, and only them", async () => {
    const batcher = new TurnBatcher<number, number>(async (key, items) => {
      if (key === "bad") throw new Error("redis is down");
      return items;
    });
    const outcomes = await Promise.allSettled([batcher.add("bad", 1), batcher.add("good", 2), batcher.add("bad", 3)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["rejected", "fulfilled", "rejected"]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toEqual(new Error("redis is down"));
  });

  it("refuses a send that answers a different number of results", async () => {
    const batcher = new TurnBatcher<number, number>(async () => [1]);
    await expect(Promise.all([batcher.add("k", 1), batcher.add("k", 2)])).rejects.toThrow("a batch of 2 got 1 results");
  });

  it("flush() sends what waits at once, and counts what is pending", async () => {
    const batcher = new TurnBatcher<number, number>(async (_key, items) => items);
    const answer = batcher.add("k", 7);
    expect(batcher.pending).toBe(1);
    await batcher.flush();
    expect(batcher.pending).toBe(0);
    expect(await answer).toBe(7);
  });
});
