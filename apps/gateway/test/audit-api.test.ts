import { type AuditRecord, generateApiKey, newId } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, browser, signedUp } from "./api-helpers.js";
import { findSecrets, parseCsv } from "./audit-helpers.js";
import { ADMIN_TOKEN, bearer, createTestApp, pricedCatalog, type TestApp } from "./helpers.js";

/**
 * The audit log end to end through the real app on real storage: completeness under concurrent mixed traffic, the
 * Audit API's filters, cursor pagination and account isolation, management
 * events, usage analytics and the rotation signal, and a grep for secrets over
 * every response, export, record and log line these tests produced.
 */

// biome-ignore lint/suspicious/noExplicitAny: this suite reads the answers of many endpoints loosely
type Json = Record<string, any>;
type Injected = Awaited<ReturnType<TestApp["app"]["inject"]>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Stands for "not asserted here". */
const ANY_PROVIDER = "(any provider)";
const iso = (ms: number) => new Date(ms).toISOString();
const requestIdOf = (response: Injected) => response.headers["x-request-id"] as string;
const errorCodeOf = (response: Injected): string | null => (response.statusCode < 400 ? null : ((response.json() as Json).error?.code ?? null));

/** Everything produced by the suite, for the "no secrets" grep at the end. */
interface Evidence {
  /** Response bodies that must hold no secret (not the key-issuing responses). */
  bodies: string[];
  exports: string[];
  logs: string[];
  /** Every secret that was sent: keys (valid or not), the admin token, cookie values, CSRF tokens. */
  secrets: Set<string>;
}

/** HTTP helpers over one app: admin API, keys, chat; every response body is kept as evidence. */
function client(t: TestApp, evidence: Evidence) {
  const keep = (response: Injected, issuesSecret = false) => {
    if (!issuesSecret) evidence.bodies.push(response.body);
    return response;
  };
  const admin = async (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object, issuesSecret = false) =>
    keep(await t.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload === undefined ? {} : { payload }) }), issuesSecret);
  let accounts = 0;
  return {
    keep,
    admin,
    async account(options: { plan?: "free" | "pro"; rpmLimit?: number; creditsMicros?: number } = {}): Promise<Json> {
      accounts += 1;
      const created = await admin("POST", "/admin/v1/accounts", {
        email: `audit-${accounts}-${newId("request").slice(4, 14).toLowerCase()}@example.com`,
        plan: options.plan ?? "free",
      });
      expect(created.statusCode, created.body).toBe(201);
      const account = created.json() as Json;
      if (options.rpmLimit !== undefined)
        expect((await admin("PATCH", `/admin/v1/accounts/${account.id}`, { rpm_limit: options.rpmLimit })).statusCode).toBe(200);
      if (options.creditsMicros !== undefined)
        expect((await admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: options.creditsMicros })).statusCode).toBe(200);
      return account;
    },
    /** A key issued through the admin API: `{id, key, key_id, name, ...}`. */
    async key(accountId: string, name: string, mode: "live" | "test"): Promise<Json> {
      const created = await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name, mode }, true);
      expect(created.statusCode, created.body).toBe(201);
      const key = created.json() as Json;
      evidence.secrets.add(key.key);
      return key;
    },
    async chat(key: string | null, model: string, extra: { ua?: string; ip?: string; maxTokens?: number } = {}) {
      const headers: Record<string, string> = { "user-agent": extra.ua ?? "audit-api-test" };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      return keep(
        await t.app.inject({
          method: "POST",
          url: "/v1/chat/completions",
          headers,
          ...(extra.ip === undefined ? {} : { remoteAddress: extra.ip }),
          payload: { model, messages: [{ role: "user", content: "Say something about audit logs" }], max_tokens: extra.maxTokens ?? 4 },
        }),
      );
    },
    async get(key: string, url: string) {
      return keep(await t.app.inject({ method: "GET", url, headers: { ...bearer(key), "user-agent": "audit-api-test" } }));
    },
  };
}

/**
 * Writes the queued audit records of finished requests to the store, then lets a
 * millisecond pass on the app's clock: a listing "until now" (whose end is
 * exclusive) then includes them, as it does in real time.
 */
async function settle(t: TestApp): Promise<void> {
  await t.services.records.flush();
  t.clock.advance(1);
}

/** An audit record as the store holds it, for seeding history directly. */
function seeded(accountId: string, timestamp: number, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: newId("event"),
    type: "request",
    event: "api.request",
    timestamp,
    requestId: newId("request"),
    accountId,
    apiKeyId: null,
    keyLast4: null,
    keyName: null,
    model: "fake/chat",
    provider: "fake",
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 4,
    totalTokens: 14,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    endpoint: null,
    costMicros: 4000,
    usageEstimated: false,
    sourceIp: "203.0.113.9",
    userAgent: "seeded-history",
    latencyMs: 12,
    actor: null,
    metadata: { method: "POST", path: "/v1/chat/completions" },
    ...fields,
  };
}

const byOrder = (left: { timestamp: number; id: string }, right: { timestamp: number; id: string }) =>
  left.timestamp - right.timestamp || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0);

describe.each(storageTargets())("audit log end to end on $name", (target) => {
  let upstream: FakeUpstream;
  let t: TestApp;
  let api: ReturnType<typeof client>;
  const evidence: Evidence = { bodies: [], exports: [], logs: [], secrets: new Set([ADMIN_TOKEN]) };

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    t = await createTestApp({ target, catalog: pricedCatalog(upstream) });
    api = client(t, evidence);
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
  });

  /** Walks every page of a listing; fails on a duplicate. Returns records and the page each was on. */
  async function walk(fetchPage: (cursor: string | null) => Promise<Injected>, options: { between?: (page: number) => Promise<void> } = {}) {
    const records: Json[] = [];
    const pageOf = new Map<string, number>();
    let cursor: string | null = null;
    for (let page = 0; ; page += 1) {
      expect(page, "the walk does not end").toBeLessThan(500);
      const response = await fetchPage(cursor);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as Json;
      expect(body.object).toBe("list");
      for (const record of body.data as Json[]) {
        expect(pageOf.has(record.id), `record ${record.id} returned twice (pages ${pageOf.get(record.id)} and ${page})`).toBe(false);
        pageOf.set(record.id, page);
        records.push(record);
      }
      expect(body.has_more).toBe(body.next_cursor !== null);
      if (!body.has_more) return { records, pageOf, pages: page + 1 };
      cursor = body.next_cursor as string;
      if (options.between !== undefined) await options.between(page);
    }
  }

  const listV1 = (key: string, query: Record<string, string | number>) => (cursor: string | null) => {
    const params = new URLSearchParams(Object.entries(query).map(([name, value]) => [name, String(value)]));
    if (cursor !== null) params.set("cursor", cursor);
    return api.get(key, `/v1/audit/logs?${params}`);
  };

  it("records every one of N concurrent mixed gateway requests exactly once, with the right fields", async () => {
    // A storage of its own, so "exactly N records" counts nothing else.
    const c = await createTestApp({ target, catalog: pricedCatalog(upstream) });
    const capi = client(c, evidence);
    try {
      const started = c.clock.now();
      const wallStarted = performance.now();
      const sandbox = await capi.account({ rpmLimit: 1_000_000 });
      const sandboxKey = await capi.key(sandbox.id, 'sandbox, "ci" key', "test");
      const live = await capi.account({ rpmLimit: 1_000_000, creditsMicros: 10_000_000 });
      const liveKey = await capi.key(live.id, "production", "live");
      const limited = await capi.account({ rpmLimit: 5 });
      const limitedKey = await capi.key(limited.id, "limited", "test");
      const poor = await capi.account({ creditsMicros: 1 });
      const poorKey = await capi.key(poor.id, "poor", "live");
      const revokedOwner = await capi.account();
      const revokedKey = await capi.key(revokedOwner.id, "old laptop", "test");
      expect((await capi.admin("DELETE", `/admin/v1/keys/${revokedKey.id}`)).statusCode).toBe(200);

      // Presented keys that do not authenticate.
      const unknown = generateApiKey("live").key; // valid checksum, never issued
      const good = generateApiKey("test").key;
      const flipped = good.slice(0, 20) + (good[20] === "a" ? "b" : "a") + good.slice(21); // bad checksum, still parses its last 4
      for (const secret of [unknown, flipped]) evidence.secrets.add(secret);

      interface Expected {
        kind: string;
        send: (ua: string, ip: string) => Promise<Injected>;
        account: string | null;
        key: Json | null;
        last4: string | null;
        model: string | null | "requested";
        /** The provider recorded; for the rate-limited account it depends on the outcome. */
        provider: string | null | ((status: number) => string | null);
        status?: number;
        code?: string | null;
      }
      // biome-ignore format: one request kind per line keeps the mix readable as a table
      const kinds: Array<[number, Omit<Expected, "send"> & { send: (ua: string, ip: string) => Promise<Injected> }]> = [
        [50, { kind: "sandbox ok", send: (ua, ip) => capi.chat(sandboxKey.key, "fake/chat", { ua, ip }), account: sandbox.id, key: sandboxKey, last4: sandboxKey.key_id, model: "fake/chat", provider: "sandbox", status: 200, code: null }],
        [10, { kind: "models ok", send: async (ua, ip) => capi.keep(await c.app.inject({ url: "/v1/models", headers: { ...bearer(sandboxKey.key), "user-agent": ua }, remoteAddress: ip })), account: sandbox.id, key: sandboxKey, last4: sandboxKey.key_id, model: null, provider: null, status: 200, code: null }],
        [30, { kind: "live ok", send: (ua, ip) => capi.chat(liveKey.key, "fake/chat", { ua, ip }), account: live.id, key: liveKey, last4: liveKey.key_id, model: "fake/chat", provider: "fake", status: 200, code: null }],
        [10, { kind: "missing key", send: (ua, ip) => capi.chat(null, "fake/chat", { ua, ip }), account: null, key: null, last4: null, model: null, provider: null, status: 401, code: "missing_api_key" }],
        [10, { kind: "malformed key", send: (ua, ip) => capi.chat("btoo_sk_live_short", "fake/chat", { ua, ip }), account: null, key: null, last4: null, model: null, provider: null, status: 401, code: "malformed_api_key" }],
        [10, { kind: "bad checksum", send: (ua, ip) => capi.chat(flipped, "fake/chat", { ua, ip }), account: null, key: null, last4: flipped.slice(-4), model: null, provider: null, status: 401, code: "malformed_api_key" }],
        [10, { kind: "unknown key", send: (ua, ip) => capi.chat(unknown, "fake/chat", { ua, ip }), account: null, key: null, last4: unknown.slice(-4), model: null, provider: null, status: 401, code: "invalid_api_key" }],
        [10, { kind: "revoked key", send: (ua, ip) => capi.chat(revokedKey.key, "fake/chat", { ua, ip }), account: revokedOwner.id, key: revokedKey, last4: revokedKey.key_id, model: null, provider: null, status: 401, code: "revoked_api_key" }],
        [15, { kind: "unknown model", send: (ua, ip) => capi.chat(sandboxKey.key, "no/such-model", { ua, ip }), account: sandbox.id, key: sandboxKey, last4: sandboxKey.key_id, model: "requested", provider: null, status: 404, code: "model_not_found" }],
        [20, { kind: "rate limited", send: (ua, ip) => capi.chat(limitedKey.key, "fake/chat", { ua, ip }), account: limited.id, key: limitedKey, last4: limitedKey.key_id, model: "fake/chat", provider: (status) => (status === 200 ? "sandbox" : null) }],
        [10, { kind: "no credits", send: (ua, ip) => capi.chat(poorKey.key, "fake/chat", { ua, ip }), account: poor.id, key: poorKey, last4: poorKey.key_id, model: "fake/chat", provider: null, status: 402, code: "insufficient_credits" }],
        // The provider of an upstream failure is asserted on its own below.
        [15, { kind: "upstream 500", send: (ua, ip) => capi.chat(liveKey.key, "fake/error", { ua, ip }), account: live.id, key: liveKey, last4: liveKey.key_id, model: "fake/error", provider: (status) => (status === 502 ? ANY_PROVIDER : null) }],
      ];
      const plan: Expected[] = kinds.flatMap(([count, expected]) => Array.from({ length: count }, () => expected));
      for (let index = plan.length - 1; index > 0; index -= 1) {
        const other = Math.floor(Math.random() * (index + 1));
        [plan[index], plan[other]] = [plan[other]!, plan[index]!];
      }
      const N = plan.length;
      expect(N).toBe(200);

      const sent = plan.map((expected, index) => ({ expected, ua: `audit-e2e/${index} (${expected.kind})`, ip: `10.${(index >> 8) & 255}.${index & 255}.7` }));
      const responses = await Promise.all(sent.map(({ expected, ua, ip }) => expected.send(ua, ip)));
      const wallElapsed = performance.now() - wallStarted;

      // Every answered request has queued its record: once written, there are exactly N.
      await settle(c);
      const db = c.opened.storage.db;
      const countRequests = async () =>
        Number(
          (
            await db
              .selectFrom("audit_log")
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .where("type", "=", "request")
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await countRequests()).toBe(N);
      expect(c.services.records.stats).toMatchObject({ auditDropped: 0, auditLost: 0, auditQueued: 0 });

      const rows = await db.selectFrom("audit_log").selectAll().where("type", "=", "request").execute();
      const byRequestId = new Map(rows.map((row) => [row.request_id, row]));
      expect(byRequestId.size, "request ids are unique").toBe(N);
      // The store's own per-account reads and the account-less records add up to the same N.
      const accountIds = [sandbox.id, live.id, limited.id, poor.id, revokedOwner.id];
      let viaStore = 0;
      for (const accountId of accountIds) {
        const ids: string[] = [];
        for await (const record of c.services.storage.audit.iterate({ accountId, type: "request" })) ids.push(record.requestId!);
        expect(ids.sort()).toEqual(
          rows
            .filter((row) => row.account_id === accountId)
            .map((row) => row.request_id)
            .sort(),
        );
        viaStore += ids.length;
      }
      const accountless = Number(
        (
          await db
            .selectFrom("audit_log")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("type", "=", "request")
            .where("account_id", "is", null)
            .executeTakeFirstOrThrow()
        ).n,
      );
      expect(accountless).toBe(40); // missing, malformed, bad checksum, unknown: 4 × 10
      expect(viaStore + accountless).toBe(N);

      const statuses = new Map<string, number[]>();
      responses.forEach((response, index) => {
        const { expected, ua, ip } = sent[index]!;
        const label = `${expected.kind} #${index} (${response.statusCode} ${response.body.slice(0, 160)})`;
        statuses.set(expected.kind, [...(statuses.get(expected.kind) ?? []), response.statusCode]);
        if (expected.status !== undefined) expect.soft(response.statusCode, label).toBe(expected.status);
        if (expected.code !== undefined) expect.soft(errorCodeOf(response), label).toBe(expected.code);
        const row = byRequestId.get(requestIdOf(response));
        expect.soft(row, `no record for ${label}`).toBeDefined();
        if (row === undefined) return;
        expect.soft(row, label).toMatchObject({
          type: "request",
          event: "api.request",
          status: response.statusCode,
          error_code: errorCodeOf(response),
          account_id: expected.account,
          api_key_id: expected.key?.id ?? null,
          key_last4: expected.last4,
          key_name: expected.key?.name ?? null,
          source_ip: ip,
          user_agent: ua,
          actor: expected.key === null ? null : `key:${expected.key.id}`,
          endpoint: expected.kind === "models ok" ? "/v1/models" : "/v1/chat/completions",
        });
        const provider = typeof expected.provider === "function" ? expected.provider(response.statusCode) : expected.provider;
        if (provider !== ANY_PROVIDER) expect.soft(row.provider, label).toBe(provider);
        if (expected.model === "requested") expect.soft([null, "no/such-model"], label).toContain(row.model);
        else expect.soft(row.model, label).toBe(expected.model);
        // (latency > 0 for every request, fast ones included, is asserted on its own below)
        expect.soft(row.latency_ms, `latency of ${label}`).toBeGreaterThanOrEqual(0);
        expect.soft(row.latency_ms, `latency of ${label}`).toBeLessThanOrEqual(wallElapsed);
        // The clock stood still while the requests ran: each record carries the time it arrived.
        expect.soft(Number(row.timestamp), `timestamp of ${label}`).toBe(started);
        if (response.statusCode === 200 && expected.model === "fake/chat") {
          const usage = (response.json() as Json).usage;
          expect.soft(row, label).toMatchObject({
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total_tokens,
            cost_micros: usage.cost_micros,
          });
          expect.soft(row.completion_tokens, label).toBeGreaterThan(0);
          for (const tokenClass of [row.cache_read_tokens, row.cache_write_tokens, row.reasoning_tokens]) expect.soft(tokenClass, label).toBeTypeOf("number");
          // Test keys never spend; live keys pay 1,000 micros per output token (pricedCatalog).
          expect.soft(row.cost_micros, label).toBe(expected.key?.mode === "test" ? 0 : row.completion_tokens! * 1000);
        } else {
          expect.soft(row, label).toMatchObject({ prompt_tokens: null, completion_tokens: null, total_tokens: null });
          expect.soft(row, label).toMatchObject({ cache_read_tokens: null, cache_write_tokens: null, reasoning_tokens: null });
          expect.soft([null, 0], label).toContain(row.cost_micros);
        }
      });
      // The mixed outcomes really happened.
      const limitedStatuses = statuses.get("rate limited")!;
      expect(limitedStatuses.filter((status) => status === 200).length).toBeLessThanOrEqual(5);
      expect(limitedStatuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(15);
      expect(limitedStatuses.every((status) => status === 200 || status === 429)).toBe(true);
      expect(new Set(statuses.get("upstream 500"))).toEqual(new Set([502]));
    } finally {
      evidence.logs.push(c.logs.text());
      await c.dispose();
    }
  }, 60_000);

  it("an upstream failure's record names the provider that failed", async () => {
    const owner = await api.account({ creditsMicros: 1_000_000 });
    const key = await api.key(owner.id, "upstream-failure", "live");
    const response = await api.chat(key.key, "fake/error");
    expect(response.statusCode).toBe(502);
    expect((response.json() as Json).error.message).toContain('provider "fake"');
    await settle(t);
    const page = await t.services.storage.audit.query({ accountId: owner.id, type: "request", limit: 10 });
    expect(page.records).toHaveLength(1);
    expect(page.records[0]).toMatchObject({ requestId: requestIdOf(response), status: 502, errorCode: "upstream_error", model: "fake/error" });
    // The response names the provider; the audit record must too (PRODUCT.md §5: every request records its provider).
    expect(page.records[0]!.provider).toBe("fake");
  });

  it("a fast request's latency is recorded, not rounded down to 0 ms", async () => {
    const owner = await api.account();
    const key = await api.key(owner.id, "fast", "test");
    const responses = [];
    for (let index = 0; index < 20; index += 1) responses.push(await api.get(key.key, "/v1/models"));
    for (let index = 0; index < 20; index += 1) responses.push(await api.chat(null, "fake/chat"));
    await settle(t);
    const requestIds = responses.map(requestIdOf);
    const rows = await t.opened.storage.db.selectFrom("audit_log").select(["request_id", "latency_ms"]).where("request_id", "in", requestIds).execute();
    expect(rows).toHaveLength(40);
    const zero = rows.filter((row) => !(Number(row.latency_ms) > 0));
    expect(
      zero.map((row) => row.latency_ms),
      `${zero.length} of 40 records say the request took 0 ms`,
    ).toEqual([]);
  });

  describe("the Audit API", () => {
    let alpha: Json;
    let a1: Json;
    let a2: Json;
    let bravo: Json;
    let b1: Json;
    /** The seeded history of alpha and bravo: a window well in the past, apart from live traffic. */
    let windowStart: number;
    let windowEnd: number;
    let inWindow: { start: string; end: string };
    let alphaHistory: AuditRecord[];
    let bravoHistory: AuditRecord[];
    const ids = (records: ReadonlyArray<{ id: string } | Json>): string[] => records.map((record) => record.id as string);

    beforeAll(async () => {
      windowStart = Math.floor((t.clock.now() - 20 * DAY) / HOUR) * HOUR;
      windowEnd = windowStart + 10 * DAY;
      inWindow = { start: iso(windowStart), end: iso(windowEnd) };
      alpha = await api.account({ plan: "pro" });
      a1 = await api.key(alpha.id, "alpha-web", "test");
      a2 = await api.key(alpha.id, "alpha-batch", "test");
      bravo = await api.account({ plan: "pro" });
      b1 = await api.key(bravo.id, "bravo-web", "test");

      const statuses = [200, 200, 200, 429, 502, 404];
      const history = (accountId: string, keys: Json[], count: number) =>
        Array.from({ length: count }, (_, index) => {
          const key = keys[index % keys.length]!;
          // Three records share each timestamp: the order falls back to the id.
          const timestamp = windowStart + Math.floor(index / 3) * Math.floor((windowEnd - windowStart - 1) / Math.ceil(count / 3));
          const status = statuses[index % statuses.length]!;
          return index % 25 === 7
            ? seeded(accountId, timestamp, {
                type: "event",
                event: "key.renamed",
                apiKeyId: key.id,
                keyLast4: key.key_id,
                keyName: key.name,
                model: null,
                provider: null,
                status: null,
                promptTokens: null,
                completionTokens: null,
                totalTokens: null,
                cacheReadTokens: null,
                cacheWriteTokens: null,
                reasoningTokens: null,
                endpoint: null,
                costMicros: null,
                usageEstimated: null,
                latencyMs: null,
                actor: "operator",
                metadata: { previous_name: "x" },
              })
            : seeded(accountId, timestamp, {
                apiKeyId: key.id,
                keyLast4: key.key_id,
                keyName: key.name,
                model: index % 4 === 1 ? "fake/no-usage" : "fake/chat",
                status,
                errorCode: status === 200 ? null : status === 429 ? "rate_limit_exceeded" : status === 404 ? "model_not_found" : "upstream_error",
                actor: `key:${key.id}`,
              });
        });
      alphaHistory = history(alpha.id, [a1, a2], 250).sort(byOrder);
      bravoHistory = history(bravo.id, [b1], 60).sort(byOrder);
      await t.services.storage.records.write({ audit: [...alphaHistory, ...bravoHistory], ledger: [] });
      // Some live traffic too, now (outside the seeded window).
      for (const key of [a1, a2, a1, b1]) expect((await api.chat(key.key, "fake/chat")).statusCode).toBe(200);
      await settle(t);
    });

    const expectSame = (records: Json[], expected: AuditRecord[], what: string) => {
      expect(expected.length, `${what}: the oracle is not empty`).toBeGreaterThan(0);
      expect(ids(records), what).toEqual(ids(expected));
    };

    it("filters by start/end, key_id (key ID and internal id), model, status, event and type; each really filters", async () => {
      const all = (await walk(listV1(a1.key, { ...inWindow, limit: 1000 }))).records;
      expectSame(all, alphaHistory, "the whole window");
      // The public shape, and the stable (timestamp, id) order.
      expect(all[0]).toMatchObject({
        object: "audit_log",
        account_id: alpha.id,
        key_id: expect.any(String),
        api_key_id: expect.any(String),
        timestamp: iso(alphaHistory[0]!.timestamp),
      });

      const cases: Array<[string, Record<string, string>, (record: AuditRecord) => boolean]> = [];
      // Bounds: start inclusive, end exclusive, both landing exactly on records.
      const from = alphaHistory[40]!.timestamp;
      const to = alphaHistory[130]!.timestamp;
      cases.push(["start/end", { start: iso(from), end: iso(to) }, (record) => record.timestamp >= from && record.timestamp < to]);
      cases.push(["start only", { start: iso(from), end: inWindow.end }, (record) => record.timestamp >= from]);
      cases.push(["end only", { start: inWindow.start, end: iso(to) }, (record) => record.timestamp < to]);
      cases.push(["key_id as key ID", { ...inWindow, key_id: a1.key_id }, (record) => record.keyLast4 === a1.key_id]);
      cases.push(["key_id as internal id", { ...inWindow, key_id: a2.id }, (record) => record.apiKeyId === a2.id]);
      cases.push(["model", { ...inWindow, model: "fake/no-usage" }, (record) => record.model === "fake/no-usage"]);
      cases.push(["status", { ...inWindow, status: "429" }, (record) => record.status === 429]);
      cases.push(["event", { ...inWindow, event: "key.renamed" }, (record) => record.event === "key.renamed"]);
      cases.push(["type", { ...inWindow, type: "event" }, (record) => record.type === "event"]);
      cases.push([
        "combined",
        { ...inWindow, key_id: a2.key_id, model: "fake/chat", status: "200" },
        (record) => record.apiKeyId === a2.id && record.model === "fake/chat" && record.status === 200,
      ]);
      for (const [what, query, predicate] of cases) {
        const expected = alphaHistory.filter(predicate);
        expect(expected.length, `${what} filters something out`).toBeLessThan(alphaHistory.length);
        expectSame((await walk(listV1(a1.key, { ...query, limit: 1000 }))).records, expected, what);
      }

      // Without a window the key filter covers live traffic as well.
      const a2All = (await walk(listV1(a1.key, { key_id: a2.key_id, limit: 1000 }))).records;
      expect(a2All.every((record) => record.key_id === a2.key_id && record.api_key_id === a2.id)).toBe(true);
      expect(a2All.filter((record) => Date.parse(record.timestamp) >= windowEnd && record.type === "request").length).toBeGreaterThanOrEqual(1);

      for (const [query, param] of [
        ["status=abc", "status"],
        ["status=99", "status"],
        ["event=key.exploded", "event"],
        ["type=other", "type"],
        ["key_id=abcde", "key_id"],
        ["start=yesterday", "start"],
        ["start=1700000000000", "start"],
        [`start=${iso(to)}&end=${iso(from)}`, "end"],
      ] as const) {
        const refused = await api.get(a1.key, `/v1/audit/logs?${query}`);
        expect(refused.statusCode, query).toBe(400);
        expect((refused.json() as Json).error, query).toMatchObject({ code: "invalid_request", param });
      }
    });

    it("limit is 1..1000 (0 and 1001 are 400, never clamped); a bad cursor is 400", async () => {
      for (const limit of ["0", "1001", "-1", "1.5", "ten"]) {
        const refused = await api.get(a1.key, `/v1/audit/logs?limit=${limit}`);
        expect(refused.statusCode, `limit=${limit}`).toBe(400);
        expect((refused.json() as Json).error).toMatchObject({ code: "invalid_request", param: "limit" });
      }
      const one = await api.get(a1.key, `/v1/audit/logs?limit=1&start=${inWindow.start}&end=${inWindow.end}`);
      expect(one.statusCode).toBe(200);
      expect((one.json() as Json).data.map((record: Json) => record.id)).toEqual([alphaHistory[0]!.id]);
      expect((one.json() as Json).has_more).toBe(true);
      const max = await api.get(a1.key, `/v1/audit/logs?limit=1000&start=${inWindow.start}&end=${inWindow.end}`);
      expect(max.statusCode).toBe(200);
      expect((max.json() as Json).data).toHaveLength(alphaHistory.length);
      expect((max.json() as Json).has_more).toBe(false);
      expect((max.json() as Json).next_cursor).toBeNull();

      for (const cursor of ["not-a-cursor!", Buffer.from(JSON.stringify({ at: 1 })).toString("base64url"), Buffer.from('[1.5,"x"]').toString("base64url")]) {
        const refused = await api.get(a1.key, `/v1/audit/logs?cursor=${encodeURIComponent(cursor)}`);
        expect(refused.statusCode, cursor).toBe(400);
        expect((refused.json() as Json).error).toMatchObject({ code: "invalid_request", param: "cursor" });
      }
    });

    it("cursor pages over ~250 records have no duplicates and no gaps, also while new records arrive between pages", async () => {
      // Still: the seeded window in pages of 17 is the whole window, in order.
      const still = await walk(listV1(a1.key, { ...inWindow, limit: 17 }));
      expectSame(still.records, alphaHistory, "pages of 17");
      expect(still.pages).toBe(Math.ceil(alphaHistory.length / 17));

      // Moving: every listing call is itself recorded (it is a /v1 request), and between
      // pages new traffic arrives. Snapshot the account before each page: the walk must
      // return exactly the last snapshot, new records on later pages, none twice.
      const snapshot = async () => {
        const all: string[] = [];
        for await (const record of t.services.storage.audit.iterate({ accountId: alpha.id })) all.push(record.id);
        return all;
      };
      const arrivedAfterPage = new Map<string, number>();
      let lastSnapshot: string[] = [];
      const page = listV1(a1.key, { limit: 25 });
      const moving = await walk(
        async (cursor) => {
          await settle(t);
          lastSnapshot = await snapshot();
          t.clock.advance(3);
          return page(cursor);
        },
        {
          between: async (index) => {
            t.clock.advance(3);
            const before = new Set(await snapshot());
            for (const key of [a2, a1]) expect((await api.chat(key.key, "fake/chat")).statusCode).toBe(200);
            await t.services.storage.records.write({
              audit: [seeded(alpha.id, t.clock.now() + 1, { apiKeyId: a2.id, keyLast4: a2.key_id, keyName: a2.name })],
              ledger: [],
            });
            await settle(t);
            for (const id of await snapshot()) if (!before.has(id)) arrivedAfterPage.set(id, index);
          },
        },
      );
      expect(moving.pages).toBeGreaterThan(10);
      expect(arrivedAfterPage.size).toBeGreaterThan(30);
      expect(ids(moving.records).sort()).toEqual([...lastSnapshot].sort());
      // Stable order across pages.
      const order = moving.records.map((record) => ({ timestamp: Date.parse(record.timestamp), id: record.id as string }));
      for (let index = 1; index < order.length; index += 1) expect(byOrder(order[index - 1]!, order[index]!)).toBeLessThan(0);
      for (const [id, afterPage] of arrivedAfterPage) expect(moving.pageOf.get(id), `record ${id} arrived after page ${afterPage}`).toBeGreaterThan(afterPage);
    }, 60_000);

    it("a key of account A never sees B's records, in listings or exports, whatever it asks for", async () => {
      const seenByA = (await walk(listV1(a1.key, { limit: 1000 }))).records;
      expect(seenByA.length).toBeGreaterThan(alphaHistory.length);
      expect(seenByA.every((record) => record.account_id === alpha.id)).toBe(true);
      for (const query of [`key_id=${b1.key_id}`, `key_id=${b1.id}`, `account_id=${bravo.id}`, `key_id=${b1.id}&account_id=${bravo.id}`]) {
        const response = await api.get(a1.key, `/v1/audit/logs?${query}&limit=1000`);
        expect(response.statusCode, query).toBe(200);
        const data = (response.json() as Json).data as Json[];
        if (query.startsWith("account_id"))
          expect(
            data.every((record) => record.account_id === alpha.id),
            query,
          ).toBe(true);
        else expect(data, query).toEqual([]);
      }
      for (const format of ["jsonl", "csv"] as const) {
        const exported = await api.get(a1.key, `/v1/audit/logs/export?format=${format}&start=${inWindow.start}&end=${iso(t.clock.now() + 60_000)}`);
        expect(exported.statusCode).toBe(200);
        evidence.exports.push(exported.body);
        expect(exported.body).not.toContain(bravo.id);
        expect(exported.body).not.toContain(b1.id);
        const accountIds =
          format === "jsonl"
            ? exported.body
                .trimEnd()
                .split("\n")
                .map((line) => (JSON.parse(line) as Json).account_id)
            : parseCsv(exported.body)
                .slice(1)
                .map((row) => row[5]);
        expect(accountIds.length).toBeGreaterThan(alphaHistory.length);
        expect(new Set(accountIds)).toEqual(new Set([alpha.id]));
        const viaB = await api.get(b1.key, `/v1/audit/logs/export?format=${format}&key_id=${a1.id}&start=${inWindow.start}`);
        expect(viaB.statusCode).toBe(200);
        evidence.exports.push(viaB.body);
        expect(format === "jsonl" ? viaB.body : viaB.body.split("\r\n").slice(1).join("")).toBe("");
      }
      const seenByB = (await walk(listV1(b1.key, { ...inWindow, limit: 1000 }))).records;
      expectSame(seenByB, bravoHistory, "B's own window");
    });

    it("the /api variant with a session sees exactly the session account's records", async () => {
      const carol = await signedUp(t);
      evidence.secrets.add(carol.cookie!.split("=")[1]!);
      evidence.secrets.add(carol.csrf!);
      const created = await carol.request("POST", "/api/keys", { name: "carol-ci", mode: "test" });
      expect(created.statusCode).toBe(201);
      const carolKey = created.json() as Json;
      evidence.secrets.add(carolKey.key);
      for (let index = 0; index < 3; index += 1) expect((await api.chat(carolKey.key, "fake/chat")).statusCode).toBe(200);
      // Noise in other accounts, at the same time.
      expect((await api.chat(a1.key, "fake/chat")).statusCode).toBe(200);
      await settle(t);
      const accountId = carolKey.account_id as string;
      const expected: string[] = [];
      for await (const record of t.services.storage.audit.iterate({ accountId })) expected.push(record.id);
      expect(expected.length).toBeGreaterThanOrEqual(5); // account.created, key.created, 3 requests

      const listing = await walk(async (cursor) => {
        const response = await carol.request("GET", `/api/audit/logs?limit=2${cursor === null ? "" : `&cursor=${cursor}`}`);
        evidence.bodies.push(response.body);
        return response;
      });
      expect(ids(listing.records)).toEqual(expected);
      expect(listing.records.every((record) => record.account_id === accountId)).toBe(true);
      // Asking for another account's key through the session finds nothing.
      const foreign = await carol.request("GET", `/api/audit/logs?key_id=${a1.id}`);
      expect((foreign.json() as Json).data).toEqual([]);
      const exported = await carol.request("GET", "/api/audit/logs/export?format=csv");
      expect(exported.statusCode).toBe(200);
      expect(exported.headers["content-type"]).toContain("text/csv");
      evidence.exports.push(exported.body);
      const rows = parseCsv(exported.body);
      expect(rows[0]![0]).toBe("id");
      expect(rows.slice(1).map((row) => row[0])).toEqual(expected);
      // Without a session: 401, with a key instead of a session: still 401.
      expect((await t.app.inject({ url: "/api/audit/logs" })).statusCode).toBe(401);
      expect((await t.app.inject({ url: "/api/audit/logs", headers: bearer(carolKey.key) })).statusCode).toBe(401);
    });

    it("management events are recorded with their event names, actor, key and request id", async () => {
      const dave = await signedUp(t);
      evidence.secrets.add(dave.cookie!.split("=")[1]!);
      const accountId = ((await dave.request("GET", "/api/account")).json() as Json).account.id as string;
      const actions: Array<{ event: string; requestId: string; actor: string; apiKeyId?: string; last4?: string; keyName?: string; metadata?: Json }> = [];

      const created = await dave.request("POST", "/api/keys", { name: "dave-ci", mode: "test" });
      const key = created.json() as Json;
      evidence.secrets.add(key.key);
      actions.push({
        event: "key.created",
        requestId: requestIdOf(created),
        actor: `session:${accountId}`,
        apiKeyId: key.id,
        last4: key.key_id,
        keyName: "dave-ci",
        metadata: { mode: "test" },
      });

      const renamed = await dave.request("PATCH", `/api/keys/${key.id}`, { name: "dave-deploy" });
      evidence.bodies.push(renamed.body);
      expect(renamed.statusCode).toBe(200);
      actions.push({
        event: "key.renamed",
        requestId: requestIdOf(renamed),
        actor: `session:${accountId}`,
        apiKeyId: key.id,
        last4: key.key_id,
        keyName: "dave-deploy",
        metadata: { previous_name: "dave-ci" },
      });

      const rolled = await dave.request("POST", `/api/keys/${key.id}/roll`, { grace: "1h" });
      expect(rolled.statusCode).toBe(201);
      const replacement = rolled.json() as Json;
      evidence.secrets.add(replacement.key);
      actions.push({
        event: "key.rolled",
        requestId: requestIdOf(rolled),
        actor: `session:${accountId}`,
        apiKeyId: key.id,
        last4: key.key_id,
        keyName: "dave-deploy",
        metadata: { grace_seconds: 3600, new_key_id: replacement.id, new_key_last4: replacement.key_id },
      });

      const revoked = await dave.request("DELETE", `/api/keys/${replacement.id}`);
      evidence.bodies.push(revoked.body);
      expect(revoked.statusCode).toBe(200);
      actions.push({
        event: "key.revoked",
        requestId: requestIdOf(revoked),
        actor: `session:${accountId}`,
        apiKeyId: replacement.id,
        last4: replacement.key_id,
        keyName: "dave-deploy",
      });

      const again = browser(t);
      const signedIn = await again.request(
        "POST",
        "/api/auth/signin",
        { email: dave.email, password: "a long enough password" },
        { "user-agent": "Dave's browser" },
      );
      expect(signedIn.statusCode).toBe(200);
      evidence.secrets.add(again.cookie!.split("=")[1]!);
      actions.push({ event: "account.signed_in", requestId: requestIdOf(signedIn), actor: `session:${accountId}` });

      const granted = await api.admin("POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: 2_500_000 });
      expect(granted.statusCode).toBe(200);
      actions.push({ event: "credits.granted", requestId: requestIdOf(granted), actor: "operator", metadata: { amount_micros: 2_500_000 } });

      for (const action of actions) {
        const listed = await dave.request("GET", `/api/audit/logs?event=${action.event}`);
        evidence.bodies.push(listed.body);
        const records = (listed.json() as Json).data as Json[];
        expect(records, action.event).toHaveLength(1);
        expect(records[0], action.event).toMatchObject({
          type: "event",
          event: action.event,
          account_id: accountId,
          actor: action.actor,
          request_id: action.requestId,
          api_key_id: action.apiKeyId ?? null,
          key_id: action.last4 ?? null,
          ...(action.keyName === undefined ? {} : { key_name: action.keyName }),
          ...(action.metadata === undefined ? {} : { metadata: action.metadata }),
          status: null,
          model: null,
        });
      }
      const signIn = ((await dave.request("GET", "/api/audit/logs?event=account.signed_in")).json() as Json).data[0] as Json;
      expect(signIn.user_agent).toBe("Dave's browser");
      expect(signIn.source_ip).toBe("127.0.0.1");
      // The same events through the key API, in order, and nothing of anyone else's.
      const viaKey = await dave.request("POST", "/api/keys", { name: "reader", mode: "test" });
      const reader = viaKey.json() as Json;
      evidence.secrets.add(reader.key);
      const events = (await walk(listV1(reader.key, { type: "event", limit: 1000 }))).records;
      // (Compared as sorted lists: two actions within one millisecond may list in id order.)
      expect(events.map((record) => record.event).sort()).toEqual(["account.created", ...actions.map((action) => action.event), "key.created"].sort());
      expect(events.every((record) => record.account_id === accountId)).toBe(true);
      // Operator actions on another account are that account's events: alpha's keys were created by the operator.
      const alphaCreated = (await walk(listV1(a1.key, { event: "key.created", limit: 1000 }))).records;
      expect(alphaCreated.map((record) => `${record.api_key_id} ${record.actor}`).sort()).toEqual([`${a1.id} operator`, `${a2.id} operator`].sort());
    });
  });

  describe("usage analytics and the rotation signal", () => {
    let erin: Browser;
    let accountId: string;
    let web: Json;
    let ci: Json;
    const usageOf = async (query: string) => {
      const response = await erin.request("GET", `/api/usage?${query}`);
      evidence.bodies.push(response.body);
      expect(response.statusCode, response.body).toBe(200);
      return response.json() as Json;
    };
    const keysNow = async () => {
      const response = await erin.request("GET", "/api/keys");
      evidence.bodies.push(response.body);
      return new Map(((response.json() as Json).data as Json[]).map((key) => [key.id as string, key]));
    };
    /** What the requests' responses say, per key and per model. */
    const sent = {
      byKey: new Map<string, { requests: number; errors: number; prompt: number; completion: number; cost: number }>(),
      byModel: new Map<string, number>(),
    };
    const tally = (keyId: string, model: string | null, response: Injected) => {
      const entry = sent.byKey.get(keyId) ?? { requests: 0, errors: 0, prompt: 0, completion: 0, cost: 0 };
      entry.requests += 1;
      if (response.statusCode >= 400) entry.errors += 1;
      const usage = response.statusCode === 200 ? (response.json() as Json).usage : undefined;
      entry.prompt += usage?.prompt_tokens ?? 0;
      entry.completion += usage?.completion_tokens ?? 0;
      entry.cost += usage?.cost_micros ?? 0;
      sent.byKey.set(keyId, entry);
      if (model !== null) sent.byModel.set(model, (sent.byModel.get(model) ?? 0) + 1);
    };

    beforeAll(async () => {
      erin = await signedUp(t);
      evidence.secrets.add(erin.cookie!.split("=")[1]!);
      accountId = ((await erin.request("GET", "/api/account")).json() as Json).account.id;
      await api.admin("POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: 5_000_000 });
      web = (await erin.request("POST", "/api/keys", { name: "web", mode: "live" })).json() as Json;
      ci = (await erin.request("POST", "/api/keys", { name: "ci", mode: "test" })).json() as Json;
      evidence.secrets.add(web.key);
      evidence.secrets.add(ci.key);
      for (const [key, model, maxTokens] of [
        [web, "fake/chat", 4],
        [web, "fake/chat", 6],
        [web, "fake/chat", 3],
        [web, "fake/no-usage", 5],
        [web, "no/such-model", 4],
        [ci, "fake/chat", 4],
        [ci, "fake/chat", 8],
      ] as const) {
        const response = await api.chat(key.key, model, { maxTokens });
        expect(response.statusCode, response.body).toBe(model === "no/such-model" ? 404 : 200);
        tally(key.id, model === "no/such-model" ? null : model, response);
      }
      await settle(t);
    });

    const sumBuckets = (data: Json[], keyOf: (bucket: Json) => string | null) => {
      const sums = new Map<string | null, { requests: number; errors: number; prompt: number; completion: number; cost: number }>();
      for (const bucket of data) {
        const entry = sums.get(keyOf(bucket)) ?? { requests: 0, errors: 0, prompt: 0, completion: 0, cost: 0 };
        entry.requests += bucket.requests;
        entry.errors += bucket.errors;
        entry.prompt += bucket.prompt_tokens;
        entry.completion += bucket.completion_tokens;
        entry.cost += bucket.cost_micros;
        sums.set(keyOf(bucket), entry);
      }
      return sums;
    };

    it("hourly and daily buckets per key, per model and in total add up to the requests made", async () => {
      const byKey = await usageOf("granularity=hour&group_by=key");
      expect(byKey.granularity).toBe("hour");
      for (const bucket of byKey.data as Json[]) expect(Date.parse(bucket.bucket_start) % HOUR).toBe(0);
      const keySums = sumBuckets(byKey.data, (bucket) => bucket.api_key_id);
      expect(new Set(keySums.keys())).toEqual(new Set([web.id, ci.id]));
      for (const [keyId, expected] of sent.byKey) expect(keySums.get(keyId), keyId).toEqual(expected);
      expect(sent.byKey.get(web.id)!.cost).toBeGreaterThan(0);
      expect(sent.byKey.get(ci.id)!.cost).toBe(0);
      const webBucket = (byKey.data as Json[]).find((bucket) => bucket.api_key_id === web.id)!;
      expect(webBucket).toMatchObject({ key_id: web.key_id, key_name: "web", model: null });

      const byModel = await usageOf("granularity=hour&group_by=model");
      const modelSums = sumBuckets(byModel.data, (bucket) => bucket.model);
      for (const [model, requests] of sent.byModel) expect(modelSums.get(model)?.requests, model).toBe(requests);
      expect((byModel.data as Json[]).every((bucket) => bucket.api_key_id === null)).toBe(true);

      const total = (await usageOf("granularity=hour&group_by=none")).data as Json[];
      const totals = sumBuckets(total, () => null).get(null)!;
      const expectedTotal = [...sent.byKey.values()].reduce((sum, entry) => ({
        requests: sum.requests + entry.requests,
        errors: sum.errors + entry.errors,
        prompt: sum.prompt + entry.prompt,
        completion: sum.completion + entry.completion,
        cost: sum.cost + entry.cost,
      }));
      expect(totals).toEqual(expectedTotal);
      expect(totals.requests).toBe(7);

      const daily = await usageOf("granularity=day&group_by=none");
      for (const bucket of daily.data as Json[]) expect(Date.parse(bucket.bucket_start) % DAY).toBe(0);
      expect(sumBuckets(daily.data, () => null).get(null)).toEqual(expectedTotal);
      // A window before the traffic is empty.
      expect((await usageOf(`granularity=hour&start=${iso(t.clock.now() - 3 * DAY)}&end=${iso(t.clock.now() - 2 * DAY)}`)).data).toEqual([]);
      for (const query of ["granularity=minute", "group_by=account", "start=soon"])
        expect((await erin.request("GET", `/api/usage?${query}`)).statusCode, query).toBe(400);
    });

    it("per-key last use and last-hour/24-hour counts follow the traffic through a roll", async () => {
      const lastTimestampOf = async (keyId: string) => {
        const page = await t.services.storage.audit.query({ accountId, apiKeyId: keyId, type: "request", limit: 1000 });
        return Math.max(...page.records.map((record) => record.timestamp));
      };
      let keys = await keysNow();
      expect(keys.get(web.id)).toMatchObject({ requests_last_hour: 5, requests_last_24h: 5, last_used_at: iso(await lastTimestampOf(web.id)) });
      expect(keys.get(ci.id)).toMatchObject({ requests_last_hour: 2, requests_last_24h: 2, last_used_at: iso(await lastTimestampOf(ci.id)) });

      const rolled = await erin.request("POST", `/api/keys/${web.id}/roll`, { grace: "1h" });
      expect(rolled.statusCode).toBe(201);
      const replacement = rolled.json() as Json;
      evidence.secrets.add(replacement.key);
      keys = await keysNow();
      const oldLastUsed = keys.get(web.id)!.last_used_at;
      expect(keys.get(web.id)).toMatchObject({ requests_last_hour: 5, requests_last_24h: 5 });
      expect(keys.get(replacement.id)).toMatchObject({ requests_last_hour: 0, requests_last_24h: 0, last_used_at: null });

      // New traffic goes to the new key; the old key's counts stay.
      t.clock.advance(5);
      for (let index = 0; index < 3; index += 1) expect((await api.chat(replacement.key, "fake/chat")).statusCode).toBe(200);
      await settle(t);
      keys = await keysNow();
      expect(keys.get(web.id)).toMatchObject({ requests_last_hour: 5, requests_last_24h: 5, last_used_at: oldLastUsed });
      expect(keys.get(replacement.id)).toMatchObject({ requests_last_hour: 3, requests_last_24h: 3, last_used_at: iso(await lastTimestampOf(replacement.id)) });
      expect(Date.parse(keys.get(replacement.id)!.last_used_at)).toBeGreaterThan(Date.parse(oldLastUsed));

      // A straggler still on the old key (within its grace period) shows up: that is the signal.
      expect((await api.chat(web.key, "fake/chat")).statusCode).toBe(200);
      await settle(t);
      keys = await keysNow();
      expect(keys.get(web.id)).toMatchObject({ requests_last_hour: 6, requests_last_24h: 6 });
      expect(Date.parse(keys.get(web.id)!.last_used_at)).toBeGreaterThan(Date.parse(oldLastUsed));
      const single = await erin.request("GET", `/api/keys/${web.id}`);
      expect(single.json()).toMatchObject({ requests_last_hour: 6, last_used_at: keys.get(web.id)!.last_used_at });
    });

    it("the default usage windows and the recent-request counts are measured back from now", async () => {
      expect((await usageOf("granularity=hour&group_by=none")).data.length).toBeGreaterThan(0);
      t.clock.advance(HOUR);
      expect((await keysNow()).get(ci.id)).toMatchObject({ requests_last_hour: 0, requests_last_24h: 2 });
      t.clock.advance(24 * HOUR);
      expect((await keysNow()).get(ci.id)).toMatchObject({ requests_last_hour: 0, requests_last_24h: 0 });
      expect((await usageOf("granularity=hour&group_by=none")).data).toEqual([]); // the last 24 hours
      expect(sumBuckets((await usageOf("granularity=day&group_by=none")).data, () => null).get(null)?.requests).toBeGreaterThan(0); // the last 30 days
    });
  });

  it("no export, response body, audit record or log line holds key material, Authorization values or cookies", async () => {
    // Everything written to the audit log, as stored.
    const rows = await t.opened.storage.db.selectFrom("audit_log").selectAll().execute();
    expect(rows.length).toBeGreaterThan(300);
    const sources: Array<[string, string]> = [
      ["audit_log rows", JSON.stringify(rows)],
      ["server log", t.logs.text()],
      ...evidence.logs.map((text, index): [string, string] => [`server log ${index}`, text]),
      ...evidence.exports.map((text, index): [string, string] => [`export ${index}`, text]),
      ...evidence.bodies.map((text, index): [string, string] => [`response ${index}`, text]),
    ];
    expect(evidence.exports.length).toBeGreaterThanOrEqual(5);
    expect(evidence.bodies.length).toBeGreaterThan(300);
    expect(evidence.secrets.size).toBeGreaterThan(10);
    // The grep can fail: a planted secret is found.
    const planted = [...evidence.secrets].find((secret) => secret.startsWith("btoo_sk_"))!;
    expect(findSecrets(`{"user_agent":"x ${planted}"}`, evidence.secrets).length).toBeGreaterThan(0);
    expect(findSecrets(`{"headers":{"authorization":"Bearer abc.def"}}`, []).length).toBe(1);
    for (const [what, text] of sources) expect(findSecrets(text, evidence.secrets), what).toEqual([]);
  });
});
