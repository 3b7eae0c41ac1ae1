import { storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

describe.each(storageTargets())("admin API on $name", (target) => {
  let t: TestApp;
  const admin = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload === undefined ? {} : { payload }) });

  beforeAll(async () => {
    t = await createTestApp({ target });
  });
  afterAll(() => t?.dispose());

  describe("happy paths", () => {
    it("creates an account, a live key that works, lists keys without secrets, grants credits", async () => {
      const created = await admin("POST", "/admin/v1/accounts", { email: "Ops@Example.com", password: "correct horse battery", plan: "pro" });
      expect(created.statusCode).toBe(201);
      const account = created.json();
      expect(account).toMatchObject({ object: "account", email: "ops@example.com", plan: "pro", balance_micros: 0 });
      expect(created.body).not.toContain("correct horse");
      const stored = await t.services.storage.accounts.getByEmail("ops@example.com");
      expect(stored?.id).toBe(account.id);

      const key = await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "production-webapp", mode: "live" });
      expect(key.statusCode).toBe(201);
      const issued = key.json();
      expect(issued).toMatchObject({ object: "api_key", name: "production-webapp", mode: "live", status: "active", account_id: account.id });
      expect(issued.key).toMatch(/^btoo_sk_live_[0-9A-Za-z]{32}$/);
      expect(issued.key_id).toBe(issued.key.slice(-4));
      expect((await t.app.inject({ url: "/v1/models", headers: bearer(issued.key) })).statusCode).toBe(200);

      const list = await admin("GET", `/admin/v1/accounts/${account.id}/keys`);
      expect(list.statusCode).toBe(200);
      expect(list.json().data).toHaveLength(1);
      expect(list.body).not.toContain(issued.key);
      expect(list.json().data[0]).not.toHaveProperty("key");

      const grant = await admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: 12_500_000 });
      expect(grant.json()).toEqual({ object: "credit_grant", account_id: account.id, amount_micros: 12_500_000, balance_micros: 12_500_000 });
      expect((await t.services.storage.accounts.get(account.id))?.balanceMicros).toBe(12_500_000);
    });

    it("changes plan and limits; a plan change reaches cached keys at once", async () => {
      const { account, key } = await t.seedAccount({ plan: "free" });
      const chat = () =>
        t.app.inject({
          method: "POST",
          url: "/v1/chat/completions",
          headers: bearer(key),
          payload: { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }] },
        });
      expect((await chat()).headers["x-ratelimit-limit-requests"]).toBe("60"); // the key is cached now
      const patched = await admin("PATCH", `/admin/v1/accounts/${account.id}`, { plan: "enterprise", rpm_limit: 1000, tpm_limit: null });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ plan: "enterprise", rpm_limit: 1000, tpm_limit: null });
      expect((await chat()).headers["x-ratelimit-limit-requests"]).toBe("1000");
      const verified = await t.services.verifier.verify(`Bearer ${key}`);
      expect(verified.valid && verified.subject.account.plan).toBe("enterprise");
    });

    it("renames and rolls keys: both work during the grace period, only the new one after", async () => {
      const { account } = await t.seedAccount({ plan: "pro" });
      const created = (await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "ci", mode: "test" })).json();
      const renamed = await admin("PATCH", `/admin/v1/keys/${created.id}`, { name: "ci-runner" });
      expect(renamed.json().name).toBe("ci-runner");
      const rolled = await admin("POST", `/admin/v1/keys/${created.id}/roll`, { grace_seconds: 3600 });
      expect(rolled.statusCode).toBe(201);
      const replacement = rolled.json();
      expect(replacement).toMatchObject({ name: "ci-runner", mode: "test", rolled_from: created.id });
      expect(replacement.previous_key.expires_at).not.toBeNull();
      expect((await t.app.inject({ url: "/v1/models", headers: bearer(created.key) })).statusCode).toBe(200);
      expect((await t.app.inject({ url: "/v1/models", headers: bearer(replacement.key) })).statusCode).toBe(200);
      const immediate = (await admin("POST", `/admin/v1/keys/${replacement.id}/roll`, { grace_seconds: 0 })).json();
      expect((await t.app.inject({ url: "/v1/models", headers: bearer(replacement.key) })).json().error.code).toBe("revoked_api_key");
      expect((await t.app.inject({ url: "/v1/models", headers: bearer(immediate.key) })).statusCode).toBe(200);
    });
  });

  describe("errors", () => {
    it.each([
      ["POST", "/admin/v1/accounts", { email: "not-an-email" }, 400, "invalid_request", "email"],
      ["POST", "/admin/v1/accounts", { email: "x@y.z", plan: "platinum" }, 400, "invalid_request", "plan"],
      ["POST", "/admin/v1/accounts", { email: "x@y.z", password: "short" }, 400, "invalid_request", "password"],
      ["GET", "/admin/v1/accounts/acct_doesnotexist0000000", undefined, 404, "account_not_found", "id"],
      ["GET", "/admin/v1/accounts/not-an-id", undefined, 404, "account_not_found", "id"],
      ["DELETE", "/admin/v1/keys/key_doesnotexist00000000", undefined, 404, "key_not_found", "id"],
    ] as const)("%s %s → %i %s", async (method, url, payload, status, code, param) => {
      const response = await admin(method, url, payload);
      expect(response.statusCode).toBe(status);
      expect(response.json().error).toMatchObject({ code, param });
    });

    it("a duplicate email → 409 conflict", async () => {
      await admin("POST", "/admin/v1/accounts", { email: "dup@example.com" });
      const again = await admin("POST", "/admin/v1/accounts", { email: "DUP@example.com" });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe("conflict");
    });

    it("credits need a non-zero integer of micro-dollars", async () => {
      const { account } = await t.seedAccount();
      for (const amount of [0, 1.5, "10", null]) {
        const response = await admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: amount });
        expect(response.statusCode).toBe(400);
        expect(response.json().error.param).toBe("amount_micros");
      }
    });

    it("a debit larger than the balance is 409 debit_exceeds_balance unless allow_negative is true", async () => {
      const { account, key } = await t.seedAccount({ balanceMicros: 1_000_000, mode: "live" });
      const credits = (payload: object) => admin("POST", `/admin/v1/accounts/${account.id}/credits`, payload);
      const balance = async () => (await admin("GET", `/admin/v1/accounts/${account.id}`)).json().balance_micros;

      const refused = await credits({ amount_micros: -2_500_000 });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({ code: "debit_exceeds_balance", type: "invalid_request_error", param: "amount_micros" });
      expect(refused.json().error.message).toContain("$1.000000");
      expect(refused.json().error.message).toContain('"allow_negative": true');
      expect(await balance()).toBe(1_000_000);
      expect((await credits({ amount_micros: -2_500_000, allow_negative: false })).statusCode).toBe(409);
      expect((await credits({ amount_micros: -2_500_000, allow_negative: "yes" })).json().error).toMatchObject({
        code: "invalid_request",
        param: "allow_negative",
      });
      expect(await balance()).toBe(1_000_000);

      // Down to exactly zero needs no flag; below zero does.
      expect((await credits({ amount_micros: -400_000 })).json().balance_micros).toBe(600_000);
      const negative = await credits({ amount_micros: -2_500_000, allow_negative: true });
      expect(negative.statusCode).toBe(200);
      expect(negative.json()).toEqual({ object: "credit_grant", account_id: account.id, amount_micros: -2_500_000, balance_micros: -1_900_000 });
      // Below zero, requests that spend are refused; any further debit needs the flag again; a grant never does.
      const chat = await t.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: bearer(key),
        payload: { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 },
      });
      expect(chat.json().error.code).toBe("insufficient_credits");
      expect(chat.json().error.message).toContain("-$1.900000");
      expect((await credits({ amount_micros: -1 })).json().error.code).toBe("debit_exceeds_balance");
      expect((await credits({ amount_micros: 2_000_000 })).json().balance_micros).toBe(100_000);
      expect(await balance()).toBe(100_000);
    });

    it("free accounts stop at 50 active keys with 403 plan_limit_reached; revoking frees a slot", async () => {
      const { account } = await t.seedAccount({ plan: "free" }); // holds 1 key already
      for (let index = 0; index < 49; index += 1) await t.services.keys.create(account, { name: `k${index}`, mode: "test" });
      const refused = await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "one too many", mode: "test" });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe("plan_limit_reached");
      expect(refused.json().error.message).toContain("50");
      const first = (await admin("GET", `/admin/v1/accounts/${account.id}/keys?limit=1`)).json().data[0];
      await admin("DELETE", `/admin/v1/keys/${first.id}`);
      expect((await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "fits now", mode: "test" })).statusCode).toBe(201);
      await admin("PATCH", `/admin/v1/accounts/${account.id}`, { plan: "pro" });
      expect((await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "pro is unlimited", mode: "test" })).statusCode).toBe(201);
    });

    it("a free account at the cap: concurrent rolls of one key with a 7-day grace give one replacement and 409 key_already_rolled", async () => {
      const { account, keyId } = await t.seedAccount({ plan: "free" });
      for (let index = 0; index < 49; index += 1) await t.services.keys.create(account, { name: `k${index}`, mode: "test" });
      for (let round = 0; round < 3; round += 1) {
        const rolls = await Promise.all(Array.from({ length: 8 }, () => admin("POST", `/admin/v1/keys/${keyId}/roll`, { grace_seconds: 604_800 })));
        expect(rolls.filter((response) => response.statusCode === 201)).toHaveLength(round === 0 ? 1 : 0);
        for (const refused of rolls.filter((response) => response.statusCode !== 201)) {
          expect(refused.statusCode).toBe(409);
          expect(refused.json().error.code).toBe("key_already_rolled");
        }
      }
      const keys = (await admin("GET", `/admin/v1/accounts/${account.id}/keys?limit=200`)).json().data as Array<{ status: string; expires_at: string | null }>;
      expect(keys).toHaveLength(51);
      expect(keys.filter((key) => key.status === "active" && key.expires_at === null)).toHaveLength(50);
    });

    it("IP allowlists need the enterprise plan", async () => {
      const { account, keyId } = await t.seedAccount({ plan: "pro" });
      const refused = await admin("PATCH", `/admin/v1/keys/${keyId}`, { ip_allowlist: ["10.0.0.0/8"] });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe("plan_required");
      expect((await admin("PATCH", `/admin/v1/accounts/${account.id}`, { ip_allowlist: ["10.0.0.0/8"] })).json().error.code).toBe("plan_required");
    });
  });

  describe("security", () => {
    it.each([
      ["no token", {}],
      ["a wrong token", bearer("wrong-token-wrong-token")],
      ["an API key instead of the operator token", bearer("btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")],
    ])("%s → 401 invalid_admin_token", async (_label, headers) => {
      const response = await t.app.inject({ method: "GET", url: "/admin/v1/accounts", headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("invalid_admin_token");
    });

    it("a customer's API key cannot use the admin API", async () => {
      const { key } = await t.seedAccount();
      expect((await t.app.inject({ method: "GET", url: "/admin/v1/accounts", headers: bearer(key) })).statusCode).toBe(401);
    });
  });
});

describe("admin API without BENTOO_ADMIN_TOKEN", () => {
  it("is disabled: every admin route answers 404", async () => {
    const t = await createTestApp({ adminToken: null });
    try {
      const response = await t.app.inject({ method: "POST", url: "/admin/v1/accounts", headers: bearer(ADMIN_TOKEN), payload: { email: "a@b.c" } });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("not_found");
    } finally {
      await t.dispose();
    }
  });
});
