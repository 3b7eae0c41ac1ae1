import { parseCatalog, spendWindow } from "@bentoo/core";
import {
  deleteRedisKeys,
  type FakeUpstream,
  type StorageTarget,
  sqliteTarget,
  startFakeUpstream,
  storageTargets,
  testRedisPrefix,
  testRedisUrl,
} from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: these tests read the answers of many endpoints loosely
type Json = Record<string, any>;

const redisUrl = testRedisUrl();
const postgres = storageTargets().find((target) => target.name === "postgres");
const setups: Array<{ name: string; target: StorageTarget; redis: boolean }> = [{ name: "SQLite, admission in process", target: sqliteTarget, redis: false }];
if (postgres !== undefined && redisUrl !== undefined) setups.push({ name: "PostgreSQL + Redis", target: postgres, redis: true });

/** Output costs 1,000 micro-dollars per token, input nothing: a request with max_tokens 4 holds and is charged 4,000. */
function catalog(upstream: FakeUpstream) {
  const model = (id: string) => ({
    id,
    provider: "fake",
    upstream_model: "fake-model",
    input_price_per_mtok: 0,
    output_price_per_mtok: 1000,
    context_length: 8192,
    max_output_tokens: 50,
  });
  return parseCatalog({
    providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
    models: [model("fake/chat"), model("fake/other"), model("acme/chat")],
  });
}

describe.each(setups)("per-key controls on $name", ({ target, redis }) => {
  let upstream: FakeUpstream;
  let t: TestApp;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    upstream = await startFakeUpstream({ record: false });
    // Webhook endpoints on 127.0.0.1 are allowed (nothing is sent: the dispatcher does not run in these tests).
    const env: Record<string, string> = {
      BENTOO_WEBHOOKS_ALLOW_PRIVATE: "true",
      ...(redis ? { BENTOO_REDIS_URL: redisUrl!, BENTOO_REDIS_PREFIX: prefix } : {}),
    };
    t = await createTestApp({ target, env, catalog: catalog(upstream) });
  });
  afterAll(async () => {
    await t?.dispose();
    await upstream?.close();
    if (redis) await deleteRedisKeys(redisUrl!, prefix);
  });

  const admin = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload === undefined ? {} : { payload }) });
  const account = async (balanceMicros = 0, plan = "pro") => {
    const created = (await admin("POST", "/admin/v1/accounts", { email: `controls-${Math.random().toString(36).slice(2)}@example.com`, plan })).json();
    if (balanceMicros > 0) expect((await admin("POST", `/admin/v1/accounts/${created.id}/credits`, { amount_micros: balanceMicros })).statusCode).toBe(200);
    return created.id as string;
  };
  const newKey = async (accountId: string, body: Json) => {
    const created = await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name: "controlled", mode: "live", ...body });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as Json;
  };
  const chat = (key: string, extra: Json = {}) =>
    t.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: bearer(key),
      payload: { model: "fake/chat", messages: [{ role: "user", content: "hi" }], max_tokens: 4, ...extra },
    });
  const get = (key: string, url: string) => t.app.inject({ url, headers: bearer(key) });

  describe("scopes", () => {
    it("new keys get inference and key:read; audit:read is chosen explicitly; existing shapes list them", async () => {
      const accountId = await account();
      const key = await newKey(accountId, { mode: "test" });
      expect(key.scopes).toEqual(["inference", "key:read"]);
      expect((await get(key.key, "/v1/key")).json().scopes).toEqual(["inference", "key:read"]);
      const reader = await newKey(accountId, { mode: "test", scopes: ["audit:read", "inference"] });
      expect(reader.scopes).toEqual(["inference", "audit:read"]);
    });

    it("an inference-only key gets 403 insufficient_scope on the Audit API and /v1/key, and is served on every model surface", async () => {
      const accountId = await account();
      const { key } = await newKey(accountId, { mode: "test", scopes: ["inference"] });
      for (const url of ["/v1/audit/logs", "/v1/audit/logs/export?format=jsonl", "/v1/key"]) {
        const refused = await get(key, url);
        expect(refused.statusCode, url).toBe(403);
        const needed = url === "/v1/key" ? "key:read" : "audit:read";
        expect(refused.json().error).toMatchObject({ code: "insufficient_scope", type: "permission_error" });
        expect(refused.json().error.message).toContain(`"${needed}" scope`);
        expect(refused.body).not.toContain(key);
      }
      expect((await get(key, "/v1/models")).statusCode).toBe(200);
      expect((await get(key, "/v1/models/fake/chat")).statusCode).toBe(200);
      expect((await chat(key)).statusCode).toBe(200);
      expect((await chat(key, { stream: true })).statusCode).toBe(200);
    });

    it("a key without inference is refused on every model surface, before its body is read; its refusals are audited", async () => {
      const accountId = await account();
      const { key, id } = await newKey(accountId, { mode: "test", scopes: ["audit:read", "key:read"] });
      for (const url of ["/v1/models", "/v1/models/fake/chat"]) expect((await get(key, url)).json().error.code, url).toBe("insufficient_scope");
      const refused = await chat(key);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toContain('"inference" scope, which POST /v1/chat/completions needs');
      // Nothing was admitted: the account's limits are untouched.
      expect(refused.headers["x-ratelimit-remaining-requests"]).toBeUndefined();
      expect((await get(key, "/v1/key")).statusCode).toBe(200);
      expect((await get(key, "/v1/audit/logs")).statusCode).toBe(200);
      await t.services.records.flush();
      const records = (await t.services.storage.audit.query({ accountId, apiKeyId: id, status: 403, limit: 10 })).records;
      expect(records.map((record) => record.errorCode)).toEqual(["insufficient_scope", "insufficient_scope", "insufficient_scope"]);
    });

    it("a change of scopes applies to the very next request, though the key is cached", async () => {
      const accountId = await account();
      const { key, id } = await newKey(accountId, { mode: "test" });
      expect((await get(key, "/v1/models")).statusCode).toBe(200);
      const patched = await admin("PATCH", `/admin/v1/keys/${id}`, { scopes: ["key:read"] });
      expect(patched.json().scopes).toEqual(["key:read"]);
      expect((await get(key, "/v1/models")).json().error.code).toBe("insufficient_scope");
    });
  });

  describe("allowed models", () => {
    it("a key limited to patterns is served those models, refused others with 403 model_not_allowed, and lists only its own", async () => {
      const accountId = await account();
      const { key } = await newKey(accountId, { mode: "test", models: ["fake/*"] });
      expect((await chat(key, { model: "fake/other" })).statusCode).toBe(200);
      const refused = await chat(key, { model: "acme/chat" });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toMatchObject({ code: "model_not_allowed", type: "permission_error", param: "model" });
      expect(refused.json().error.message).toContain("fake/*");
      expect((await get(key, "/v1/models")).json().data.map((model: Json) => model.id)).toEqual(["fake/chat", "fake/other"]);
      expect((await get(key, "/v1/models/acme/chat")).json().error.code).toBe("model_not_allowed");
      // An unknown model is still 404, whatever the list.
      expect((await chat(key, { model: "nope/none" })).json().error.code).toBe("model_not_found");
      const exact = await newKey(accountId, { mode: "test", models: ["acme/chat"] });
      expect((await chat(exact.key, { model: "acme/chat" })).statusCode).toBe(200);
      expect((await chat(exact.key, { model: "fake/chat" })).statusCode).toBe(403);
    });

    it("refuses patterns that are malformed or match no model of the catalog, with a 400 naming models", async () => {
      const accountId = await account();
      for (const models of [[], ["fak*e/chat"], ["missing/*"], ["fake/ chat"], [""], "fake/*"]) {
        const refused = await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name: "bad", mode: "test", models });
        expect(refused.statusCode, JSON.stringify(models)).toBe(400);
        expect(refused.json().error.param).toBe("models");
      }
    });
  });

  describe("spend caps", () => {
    it("refuses with 402 key_spend_cap_reached once the period's cap is spent, and a new UTC day lets the key spend again", async () => {
      const accountId = await account(1_000_000);
      const hook = await admin("POST", `/admin/v1/accounts/${accountId}/webhooks`, { url: "http://127.0.0.1:9/hook", event_types: ["key.spend_cap_reached"] });
      expect(hook.statusCode, hook.body).toBe(201);
      const { key, id } = await newKey(accountId, { spend_cap: { amount_micros: 10_000, period: "day" } });
      expect((await chat(key)).statusCode).toBe(200);
      expect((await chat(key)).statusCode).toBe(200);
      const refused = await chat(key);
      expect(refused.statusCode).toBe(402);
      expect(refused.json().error).toMatchObject({ code: "key_spend_cap_reached", type: "billing_error" });
      const tomorrow = spendWindow("day", t.clock.now()).end!;
      expect(refused.json().error.message).toContain("$0.002000 left");
      expect(refused.json().error.message).toContain(new Date(tomorrow).toISOString());
      // A request that fits what is left passes: 2 output tokens cost 2,000.
      expect((await chat(key, { max_tokens: 2 })).statusCode).toBe(200);
      expect((await chat(key, { max_tokens: 1 })).statusCode).toBe(402);
      await t.services.records.flush();
      const info = (await get(key, "/v1/key")).json();
      expect(info.spend_cap).toMatchObject({
        amount_micros: 10_000,
        period: "day",
        spent_micros: 10_000,
        remaining_micros: 0,
        resets_at: new Date(tomorrow).toISOString(),
      });
      // The account's balance paid exactly the charges, and each ledger row names the key.
      expect((await t.services.storage.accounts.get(accountId))!.balanceMicros).toBe(1_000_000 - 10_000);
      const charges = (await t.services.storage.ledger.list(accountId, { limit: 10 })).filter((row) => row.kind === "charge");
      expect(charges.map((row) => row.apiKeyId)).toEqual([id, id, id]);
      // The account's endpoint is told once that the key reached its cap.
      const deliveries = await t.services.storage.webhooks.listDeliveries(hook.json().id, { limit: 10 });
      expect(deliveries.items.map((delivery) => JSON.parse(delivery.payload))).toMatchObject([{ type: "key.spend_cap_reached", data: { key: { id } } }]);

      t.clock.set(tomorrow);
      expect((await chat(key)).statusCode).toBe(200);
      await t.services.records.flush();
      expect((await get(key, "/v1/key")).json().spend_cap).toMatchObject({ remaining_micros: 10_000 - 4_000 });
    });

    it("a raised cap applies at once; a roll keeps counting the same spend; a test key is never capped", async () => {
      const accountId = await account(1_000_000);
      const { key, id } = await newKey(accountId, { spend_cap: { amount_micros: 4_000, period: "month" } });
      expect((await chat(key)).statusCode).toBe(200);
      expect((await chat(key)).json().error.code).toBe("key_spend_cap_reached");
      const rolled = (await admin("POST", `/admin/v1/keys/${id}/roll`, { grace_seconds: 60 })).json();
      expect(rolled.spend_cap).toEqual({ amount_micros: 4_000, period: "month" });
      expect((await chat(rolled.key)).json().error.code).toBe("key_spend_cap_reached");
      expect((await admin("PATCH", `/admin/v1/keys/${rolled.id}`, { spend_cap: { amount_micros: 8_000, period: "month" } })).statusCode).toBe(200);
      expect((await chat(rolled.key)).statusCode).toBe(200);
      expect((await chat(key)).json().error.code).toBe("key_spend_cap_reached"); // the old key keeps its cap: 4,000 of 8,000 spent by the chain
      const sandbox = await newKey(accountId, { mode: "test", spend_cap: { amount_micros: 0, period: "total" } });
      for (let index = 0; index < 3; index += 1) expect((await chat(sandbox.key)).statusCode).toBe(200);
    });

    it("the dashboard's key list shows each cap's use this period", async () => {
      const accountId = await account(1_000_000);
      const capped = await newKey(accountId, { spend_cap: { amount_micros: 20_000, period: "week" } });
      await newKey(accountId, { mode: "test" });
      expect((await chat(capped.key)).statusCode).toBe(200);
      await t.services.records.flush();
      const listed = (await admin("GET", `/admin/v1/accounts/${accountId}/keys`)).json().data as Json[];
      expect(listed.map((key) => key.spend_cap)).toEqual([{ amount_micros: 20_000, period: "week" }, null]);
    });
  });

  describe("the key's own rate limits", () => {
    it("shows the key's limit in x-ratelimit-* when it is the tighter one, and refuses with 429 naming the key", async () => {
      const accountId = await account();
      const plain = await newKey(accountId, { mode: "test" });
      const limited = await newKey(accountId, { mode: "test", rpm_limit: 2, tpm_limit: 150_000 });
      const first = await chat(limited.key);
      expect(first.headers).toMatchObject({ "x-ratelimit-limit-requests": "2", "x-ratelimit-remaining-requests": "1" });
      // The account's 2,000,000 tokens per minute are looser than the key's 150,000.
      expect(first.headers["x-ratelimit-limit-tokens"]).toBe("150000");
      expect((await chat(limited.key)).headers["x-ratelimit-remaining-requests"]).toBe("0");
      const refused = await chat(limited.key);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe("rate_limit_exceeded");
      expect(refused.json().error.message).toContain(`requests per minute (limit 2) on this key (key ID ••••${limited.key_id})`);
      expect(refused.headers["retry-after"]).toBe("30");
      // The account's own limit (pro: 600) is what another key of it sees.
      const other = await chat(plain.key);
      expect(other.headers).toMatchObject({ "x-ratelimit-limit-requests": "600", "x-ratelimit-remaining-requests": "597" });
      const info = (await get(limited.key, "/v1/key")).json();
      expect(info.rate_limits).toEqual({ requests_per_minute: 2, tokens_per_minute: 150_000 });
      expect(info.key_rate_limits).toEqual({ requests_per_minute: 2, tokens_per_minute: 150_000 });
      // Removed, the account's limit applies again at once.
      await admin("PATCH", `/admin/v1/keys/${limited.id}`, { rpm_limit: null });
      expect((await chat(limited.key)).headers["x-ratelimit-limit-requests"]).toBe("600");
    });

    it("a request larger than the key's tokens per minute is refused at once, as too large", async () => {
      const accountId = await account();
      const { key } = await newKey(accountId, { mode: "test", tpm_limit: 20 });
      const refused = await chat(key, { max_tokens: 40 });
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error).toMatchObject({ param: "max_tokens" });
      expect(refused.json().error.message).toContain("allows 20 tokens per minute");
    });
  });

  describe("expiry", () => {
    it("an expiry set later ends the key at that instant with 401 expired_api_key, though it is cached; null removes it", async () => {
      const accountId = await account();
      const { key, id } = await newKey(accountId, { mode: "test" });
      expect((await get(key, "/v1/models")).statusCode).toBe(200);
      const at = new Date(t.clock.now() + 60_000).toISOString();
      expect((await admin("PATCH", `/admin/v1/keys/${id}`, { expires_at: at })).json().expires_at).toBe(at);
      t.clock.advance(59_999);
      expect((await get(key, "/v1/models")).statusCode).toBe(200);
      t.clock.advance(1);
      expect((await get(key, "/v1/models")).json().error.code).toBe("expired_api_key");
      const past = await admin("PATCH", `/admin/v1/keys/${id}`, { expires_at: new Date(t.clock.now() - 1).toISOString() });
      expect(past.json().error).toMatchObject({ code: "invalid_request", param: "expires_at" });
      expect((await admin("PATCH", `/admin/v1/keys/${id}`, { expires_at: null })).json().status).toBe("active");
      expect((await get(key, "/v1/models")).statusCode).toBe(200);
    });
  });

  describe("management bodies", () => {
    it("an unknown field is a 400 naming it, on every admin and account endpoint; nothing is changed", async () => {
      const accountId = await account();
      const { id } = await newKey(accountId, { mode: "test" });
      const cases: Array<[string, string, Json]> = [
        ["POST", `/admin/v1/accounts/${accountId}/keys`, { name: "x", scope: ["inference"] }],
        ["PATCH", `/admin/v1/keys/${id}`, { rpm: 5 }],
        ["POST", `/admin/v1/keys/${id}/roll`, { grace: 60 }],
        ["POST", "/admin/v1/accounts", { email: "strict@example.com", plan: "pro", credits: 5 }],
        ["PATCH", `/admin/v1/accounts/${accountId}`, { rpm_limits: 5 }],
        ["POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: 5, note: "x" }],
      ];
      for (const [method, url, payload] of cases) {
        const refused = await admin(method as "POST", url, payload);
        const unknown = Object.keys(payload).at(-1)!;
        expect(refused.statusCode, `${method} ${url}`).toBe(400);
        expect(refused.json().error).toMatchObject({ code: "invalid_request", param: unknown });
        expect(refused.json().error.message).toContain(`Unknown parameter: ${unknown}. This endpoint accepts:`);
      }
      const nested = await admin("PATCH", `/admin/v1/keys/${id}`, { spend_cap: { amount: 5, period: "day" } });
      expect(nested.json().error).toMatchObject({ code: "invalid_request", param: "spend_cap.amount" });
      expect((await admin("GET", `/admin/v1/keys/${id}`)).json()).toMatchObject({ scopes: ["inference", "key:read"], spend_cap: null, rpm_limit: null });
      expect((await admin("GET", `/admin/v1/accounts/${accountId}`)).json()).toMatchObject({ rpm_limit: null, balance_micros: 0 });
    });

    it("refuses out-of-range controls with a 400 naming the field", async () => {
      const accountId = await account();
      const cases: Array<[Json, string]> = [
        [{ scopes: ["admin"] }, "scopes"],
        [{ scopes: [] }, "scopes"],
        [{ rpm_limit: 0 }, "rpm_limit"],
        [{ tpm_limit: 1.5 }, "tpm_limit"],
        [{ spend_cap: { amount_micros: -1, period: "day" } }, "spend_cap.amount_micros"],
        [{ spend_cap: { amount_micros: 5, period: "year" } }, "spend_cap.period"],
        [{ spend_cap: { period: "day" } }, "spend_cap.amount_micros"],
        [{ spend_cap: 5 }, "spend_cap"],
        [{ expires_at: "someday" }, "expires_at"],
      ];
      for (const [body, param] of cases) {
        const refused = await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name: "bad", ...body });
        expect(refused.statusCode, JSON.stringify(body)).toBe(400);
        expect(refused.json().error.param, JSON.stringify(body)).toBe(param);
      }
    });
  });
});
