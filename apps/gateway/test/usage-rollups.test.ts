import { parseCatalog } from "@bentoo/core";
import { type FakeUpstream, recountUsage, startFakeUpstream, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Browser, signedUp } from "./api-helpers.js";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

const HOUR = 3_600_000;
const _DAY = 24 * HOUR;

function usageCatalog(upstream: FakeUpstream) {
  const model = (id: string, upstreamModel: string) => ({
    id,
    provider: "fake",
    upstream_model: upstreamModel,
    input_price_per_mtok: 100,
    output_price_per_mtok: 1_000,
    context_length: 200_000,
    max_output_tokens: 50,
  });
  return parseCatalog({
    providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
    models: [
      model("fake/words", "fake-model"),
      model("fake/bytes", "fake-byte-tokens"),
      model("fake/slow-stream", "fake-slow-stream"),
      model("fake/error", "fake-error-500"),
    ],
  });
}

/** A deterministic generator (mulberry32), so a failing mix can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = (below: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return Math.floor((((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32) * below);
  };
  return { next, pick: <T>(items: readonly T[]): T => items[next(items.length)]! };
}

type Json = Record<string, unknown>;

/**
 * The dashboard's usage, read from the rollups, against a recount of the raw
 * audit log after a randomized load through the real gateway: answered,
 * streamed, aborted (499), refused (400, 402, 404) and failed (502) requests
 * of several keys and models over several hours, on every store.
 */
describe.each(storageTargets())("usage rollups under load on $name", (target) => {
  let upstream: FakeUpstream;
  let t: TestApp;
  let base: string;
  let owner: Browser;
  let accountId: string;
  let keys: string[];
  const startedAt = Date.UTC(2031, 2, 10, 21, 17);
  let sent = 0;

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkIntervalMs: 5 });
    t = await createTestApp({ target, catalog: usageCatalog(upstream) });
    t.clock.set(startedAt);
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    base = `http://127.0.0.1:${address.port}`;
    owner = await signedUp(t);
    const me = (await owner.request("GET", "/api/account")).json() as { account: { id: string } };
    accountId = me.account.id;
    await t.services.credits.grant(accountId, 50_000_000);
    keys = [];
    for (const [name, mode] of [
      ["web", "live"],
      ["batch", "live"],
      ["ci", "test"],
    ] as const) {
      const created = await owner.request("POST", "/api/keys", { name, mode });
      expect(created.statusCode, created.body).toBe(201);
      keys.push((created.json() as { key: string }).key);
    }
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  const post = (key: string, body: Json, signal?: AbortSignal) =>
    fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });

  /** One request of a random kind; resolves with the status the client saw (0 when it went away). */
  async function sendOne(random: ReturnType<typeof generator>): Promise<number> {
    const key = random.pick(keys);
    const messages = [{ role: "user", content: "hello ".repeat(1 + random.next(20)) }];
    const kind = random.pick(["answer", "answer", "stream", "stream", "abort", "upstream error", "unknown model", "bad request", "models"]);
    sent += 1;
    if (kind === "models") return (await fetch(`${base}/v1/models`, { headers: bearer(key) })).status;
    if (kind === "abort") {
      const controller = new AbortController();
      const response = await post(key, { model: "fake/slow-stream", messages, stream: true }, controller.signal);
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await reader.read().catch(() => undefined);
      return 0;
    }
    const model = kind === "upstream error" ? "fake/error" : kind === "unknown model" ? "fake/none" : random.pick(["fake/words", "fake/bytes"]);
    const body: Json = kind === "bad request" ? { model, messages: "not a list" } : { model, messages };
    if (kind === "stream") Object.assign(body, { stream: true, stream_options: { include_usage: true } });
    const response = await post(key, body);
    await response.text();
    return response.status;
  }

  it("after a randomized load including aborted and failed requests, every usage query equals the raw-log recount", async () => {
    const random = generator(target.name === "sqlite" ? 20_311 : 20_312);
    const statuses = new Set<number>();
    // Waves of concurrent requests, the clock moved on between them: about 30 hours, across a UTC midnight.
    for (let wave = 0; wave < 24; wave += 1) {
      const results = await Promise.all(Array.from({ length: 8 }, () => sendOne(random)));
      for (const status of results) statuses.add(status);
      t.clock.advance(random.next(150) * 60_000);
    }
    expect([...statuses].sort()).toEqual(expect.arrayContaining([0, 200, 400, 404, 502]));
    const end = t.clock.now() + 1;
    await vi.waitFor(
      async () => {
        await t.services.records.flush();
        const stored = await t.opened.storage.db
          .selectFrom("audit_log")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("account_id", "=", accountId)
          .where("type", "=", "request")
          .executeTakeFirstOrThrow();
        expect(Number(stored.n)).toBe(sent);
      },
      { timeout: 10_000, interval: 20 },
    );
    const aborted = await t.services.storage.audit.query({ accountId, status: 499, limit: 100 });
    expect(aborted.records.length).toBeGreaterThan(0);

    const start = Math.floor(startedAt / HOUR) * HOUR;
    const wholeEnd = Math.ceil(end / HOUR) * HOUR;
    for (const granularity of ["hour", "day"] as const) {
      for (const groupBy of ["none", "key", "model"] as const) {
        const expected = await recountUsage(t.opened.storage, { accountId, start, end: wholeEnd, granularity, groupBy });
        expect(await t.services.storage.audit.usage({ accountId, start, end: wholeEnd, granularity, groupBy }), `${granularity} by ${groupBy}`).toEqual(
          expected,
        );
        // The dashboard's API answers the same numbers.
        const response = await owner.request(
          "GET",
          `/api/usage?granularity=${granularity}&group_by=${groupBy}&start=${new Date(start).toISOString()}&end=${new Date(end).toISOString()}`,
        );
        expect(response.statusCode, response.body).toBe(200);
        const body = response.json() as { start: string; end: string; data: Json[] };
        expect([body.start, body.end]).toEqual([new Date(start).toISOString(), new Date(wholeEnd).toISOString()]);
        expect(
          body.data.map((bucket) => [
            bucket.bucket_start,
            bucket.api_key_id,
            bucket.model,
            bucket.requests,
            bucket.errors,
            bucket.prompt_tokens,
            bucket.cost_micros,
          ]),
        ).toEqual(
          expected.map((bucket) => [
            new Date(bucket.bucketStart).toISOString(),
            bucket.apiKeyId,
            bucket.model,
            bucket.requests,
            bucket.errors,
            bucket.promptTokens,
            bucket.costMicros,
          ]),
        );
      }
    }
    const total = (await recountUsage(t.opened.storage, { accountId, start, end: wholeEnd, granularity: "day", groupBy: "none" })).reduce(
      (sum, bucket) => sum + bucket.requests,
      0,
    );
    expect(total).toBe(sent);
  });
});
