import { connect } from "node:net";
import { parseCatalog } from "@bentoo/core";
import { deleteRedisKeys, type FakeUpstream, type StorageTarget, startFakeUpstream, storageTargets, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

/** Input 100 and output 1,000 micro-dollars per token: every token class shows in the money. */
const INPUT_MICROS = 100;
const OUTPUT_MICROS = 1_000;

function billingCatalog(upstream: FakeUpstream) {
  const model = (id: string, upstreamModel: string) => ({
    id,
    provider: "fake",
    upstream_model: upstreamModel,
    input_price_per_mtok: INPUT_MICROS,
    output_price_per_mtok: OUTPUT_MICROS,
    context_length: 200_000,
    max_output_tokens: 50,
  });
  return parseCatalog({
    providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
    models: [
      model("fake/words", "fake-model"),
      model("fake/bytes", "fake-byte-tokens"),
      model("fake/slow-stream", "fake-slow-stream"),
      model("fake/slow", "fake-slow"),
    ],
  });
}

/** What a reported usage costs at the catalog's prices. */
const costOf = (usage: { prompt_tokens: number; completion_tokens: number }) => usage.prompt_tokens * INPUT_MICROS + usage.completion_tokens * OUTPUT_MICROS;

/** A deterministic generator, so a failing mix can be replayed. */
function generator(seed: number) {
  let state = seed;
  const next = (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[next(items.length)]! };
}

const RED_DOT = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

interface Sent {
  accountId: string;
  /** The answer's x-request-id, when its headers arrived. */
  requestId?: string | null;
  /** The usage the client was shown (null when the request was aborted or failed). */
  usage: { prompt_tokens: number; completion_tokens: number; cost_micros: number } | null;
}

const targets: Array<{ name: string; target: StorageTarget; redis: boolean }> = storageTargets().map((target) => ({ name: target.name, target, redis: false }));
const postgres = storageTargets().find((target) => target.name === "postgres");
const redisUrl = testRedisUrl();
if (postgres !== undefined && redisUrl !== undefined) targets.push({ name: "postgres+redis", target: postgres, redis: true });

describe.each(targets)("billing matches usage on $name", ({ target, redis }) => {
  let upstream: FakeUpstream;
  let t: TestApp;
  let base: string;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    upstream = await startFakeUpstream({ chunkIntervalMs: 5, slowMs: 200 });
    const env: Record<string, string> = redis ? { BENTOO_REDIS_URL: redisUrl!, BENTOO_REDIS_PREFIX: prefix } : {};
    t = await createTestApp({ target, env, catalog: billingCatalog(upstream) });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
    if (redis) await deleteRedisKeys(redisUrl!, prefix);
  });

  const post = (key: string, body: Record<string, unknown>, signal?: AbortSignal) =>
    fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { ...bearer(key), "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
      ...(signal === undefined ? {} : { signal }),
    });

  /** Usage from a JSON answer or a stream's usage chunk. */
  async function readUsage(response: Response): Promise<Sent["usage"]> {
    const text = await response.text();
    if (!response.headers.get("content-type")?.includes("text/event-stream")) return response.status === 200 ? JSON.parse(text).usage : null;
    const events = text
      .split("\n\n")
      .map((block) => block.replace(/^data: /, ""))
      .filter((data) => data.startsWith("{"));
    return events.map((data) => JSON.parse(data)).find((chunk) => chunk.usage != null)?.usage ?? null;
  }

  async function records(accountId: string) {
    const found = [];
    for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) found.push(record);
    return found;
  }

  /** Σ audit costs = Σ ledger charges = what the answered usage costs; the balance = grants − charges. */
  async function expectBooksBalance(accountId: string, sent: Sent[], granted: number) {
    await t.services.records.flush();
    const audit = await records(accountId);
    expect(audit).toHaveLength(sent.length);
    const ledger = await t.services.storage.ledger.list(accountId, { limit: 1000 });
    const charged = ledger.filter((row) => row.kind === "charge").reduce((sum, row) => sum - row.amountMicros, 0);
    const audited = audit.reduce((sum, record) => sum + (record.costMicros ?? 0), 0);
    expect(audited).toBe(charged);
    // Every answered request was charged exactly what its reported usage costs.
    const byRequest = new Map(ledger.filter((row) => row.kind === "charge").map((row) => [row.requestId, -row.amountMicros]));
    for (const record of audit) expect(byRequest.get(record.requestId) ?? 0).toBe(record.costMicros ?? 0);
    // Every answer the client read whole was charged exactly what its reported usage costs.
    const answered = sent.filter((request) => request.usage !== null);
    const byId = new Map(audit.map((record) => [record.requestId, record]));
    for (const request of answered) {
      expect(request.usage!.cost_micros).toBe(costOf(request.usage!));
      if (request.requestId != null)
        expect([byId.get(request.requestId)?.status, byId.get(request.requestId)?.costMicros]).toEqual([200, costOf(request.usage!)]);
    }
    // The others were either cut by their client (499) or finished before the server saw it go (200): either way recorded and charged alike.
    const answeredIds = new Set(answered.map((request) => request.requestId));
    for (const record of audit.filter((entry) => !answeredIds.has(entry.requestId))) expect([200, 499]).toContain(record.status);
    const balance = (await t.services.storage.accounts.get(accountId))!.balanceMicros;
    expect(balance).toBe(granted - charged);
    expect(await t.services.storage.ledger.sum(accountId)).toBe(balance);
    return { audit, charged };
  }

  it("charges what the upstream reported for a random mix of n, output limits, unspaced unicode, images, streams and aborts", async () => {
    const granted = 500_000_000;
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: granted });
    const random = generator(20_261_207);
    const sent: Sent[] = [];
    for (let index = 0; index < 40; index += 1) {
      const kind = random.pick(["json", "json", "stream", "abort-stream", "abort-waiting"] as const);
      const content =
        random.next(3) === 0
          ? `${"a".repeat(64)}${"龘".repeat(300 + random.next(900))}`
          : random.next(2) === 0
            ? [
                { type: "text", text: "look" },
                { type: "image_url", image_url: { url: RED_DOT } },
              ]
            : "say something";
      const limits = random.pick([{ max_tokens: 3 }, { max_completion_tokens: 5 }, { max_completion_tokens: 2, max_tokens: 40 }, {}]);
      if (kind === "abort-stream" || kind === "abort-waiting") {
        const controller = new AbortController();
        const model = kind === "abort-stream" ? "fake/slow-stream" : "fake/slow";
        const stream = kind === "abort-stream";
        const response = post(
          key,
          { model, messages: [{ role: "user", content: "count" }], ...(stream ? { stream, stream_options: { include_usage: true } } : {}) },
          controller.signal,
        );
        let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
        let received = "";
        if (stream) {
          reader = (await response).body!.getReader();
          for (let chunk = 0; chunk < 2; chunk += 1) received += new TextDecoder().decode((await reader.read()).value);
        } else {
          await new Promise((resolve) => setTimeout(resolve, 20 + random.next(50)));
        }
        controller.abort();
        // On a busy machine the answer may have been complete before the abort: then it is an answered request.
        let completed: Response | null = null;
        let requestId: string | null = null;
        try {
          if (reader === null) {
            const answer = await response;
            completed = new Response(await answer.text(), { headers: answer.headers, status: answer.status });
            requestId = answer.headers.get("x-request-id");
          } else {
            for (let part = await reader.read(); !part.done; part = await reader.read()) received += new TextDecoder().decode(part.value);
            completed = new Response(received, { headers: (await response).headers });
            requestId = (await response).headers.get("x-request-id");
          }
        } catch {
          completed = null;
        }
        if (completed !== null) {
          sent.push({ accountId: account.id, requestId, usage: await readUsage(completed) });
          continue;
        }
        sent.push({ accountId: account.id, usage: null });
        continue;
      }
      const stream = kind === "stream";
      const body = {
        model: random.pick(["fake/words", "fake/bytes"]),
        messages: [{ role: "user", content }],
        ...limits,
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : { n: random.pick([1, 1, 3, 8]) }),
      };
      const response = await post(key, body);
      expect(response.status, JSON.stringify(body).slice(0, 200)).toBe(200);
      sent.push({ accountId: account.id, requestId: response.headers.get("x-request-id"), usage: await readUsage(response) });
    }
    // Aborted requests are recorded once the server has seen the client go.
    await vi.waitFor(
      async () => {
        await t.services.records.flush();
        const found = await records(account.id);
        expect(found).toHaveLength(sent.length);
      },
      { timeout: 10_000, interval: 20 },
    );
    const { audit } = await expectBooksBalance(account.id, sent, granted);
    const aborted = audit.filter((record) => record.status === 499);
    expect(aborted.length).toBeGreaterThan(3);
    for (const record of aborted) expect(record.errorCode).toBe("client_closed_request");
  });

  it("charges usage above the hold in full: the balance goes below zero by the excess and the account gets 402 until topped up", async () => {
    // fake/bytes counts an image as 2,000 prompt tokens, above the estimate's bound of 1,600.
    const hold = (3 + 3 + 1 + 1_600) * INPUT_MICROS + 1 * OUTPUT_MICROS;
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: hold });
    const response = await post(key, {
      model: "fake/bytes",
      max_completion_tokens: 1,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "look" },
            { type: "image_url", image_url: { url: RED_DOT } },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const usage = await readUsage(response);
    const cost = costOf(usage!);
    expect(cost).toBeGreaterThan(hold);
    const { charged } = await expectBooksBalance(account.id, [{ accountId: account.id, usage }], hold);
    expect(charged).toBe(cost);
    const row = (await t.services.storage.ledger.list(account.id, { limit: 10 })).find((entry) => entry.kind === "charge");
    expect(row?.metadata).toEqual({ over_hold_micros: cost - hold });
    const refused = await post(key, { model: "fake/words" });
    expect(refused.status).toBe(402);
    expect((await refused.json()).error.code).toBe("insufficient_credits");
    await t.services.credits.grant(account.id, 1_000_000);
    expect((await post(key, { model: "fake/words" })).status).toBe(200);
  });

  it("records a client that leaves while still sending its body, and charges nothing", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    const { port } = new URL(base);
    for (let index = 0; index < 3; index += 1) {
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"model":"fake/words",`,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.destroy();
    }
    await vi.waitFor(
      async () => {
        await t.services.records.flush();
        expect(await records(account.id)).toHaveLength(3);
      },
      { timeout: 5_000, interval: 20 },
    );
    for (const record of await records(account.id)) expect([record.status, record.errorCode, record.costMicros]).toEqual([499, "client_closed_request", null]);
    const metrics = await t.services.metrics.registry.metrics();
    expect(metrics).toMatch(/bentoo_http_requests_total\{[^}]*route="\/v1\/chat\/completions"[^}]*status="499"[^}]*\} [1-9]/);
    await expectBooksBalance(
      account.id,
      [null, null, null].map(() => ({ accountId: account.id, usage: null })),
      1_000_000,
    );
  });

  it("sends one output limit upstream, the one the hold was taken for", async () => {
    const { account, key } = await t.seedAccount({ mode: "live", balanceMicros: 10_000 });
    // max_tokens alone would hold 100,000 × 1,000 micro-dollars; max_completion_tokens is the one meant.
    const response = await post(key, {
      model: "fake/words",
      max_completion_tokens: 1,
      max_tokens: 100_000,
      messages: [{ role: "user", content: "one two three" }],
    });
    expect(response.status).toBe(200);
    const usage = await readUsage(response);
    expect(usage!.completion_tokens).toBe(1);
    const forwarded = upstream.requests.at(-1)!.body as Record<string, unknown>;
    expect(forwarded.max_completion_tokens).toBe(1);
    expect(forwarded).not.toHaveProperty("max_tokens");
    await expectBooksBalance(account.id, [{ accountId: account.id, usage }], 10_000);
  });
});
