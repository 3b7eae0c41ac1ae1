import { storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, signedUp } from "./api-helpers.js";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

describe.each(storageTargets())("Settings → API Keys (/api/keys) on $name", (target) => {
  let t: TestApp;
  let alice: Browser;
  let bob: Browser;
  const secrets: string[] = [];
  const models = (key: string) => t.app.inject({ url: "/v1/models", headers: bearer(key) });

  beforeAll(async () => {
    t = await createTestApp({ target });
    alice = await signedUp(t);
    bob = await signedUp(t);
  });
  afterAll(() => t?.dispose());

  describe("happy paths", () => {
    it("creates a named key shown in full exactly once; list and get show only the key ID", async () => {
      const created = await alice.request("POST", "/api/keys", { name: "production-webapp", mode: "live" });
      expect(created.statusCode).toBe(201);
      const key = created.json();
      secrets.push(key.key);
      expect(key).toMatchObject({ name: "production-webapp", mode: "live", status: "active", key_id: key.key.slice(-4) });
      expect((await models(key.key)).statusCode).toBe(200);

      const list = await alice.request("GET", "/api/keys");
      expect(list.statusCode).toBe(200);
      const row = list.json().data.find((entry: { id: string }) => entry.id === key.id);
      expect(row).toMatchObject({
        name: "production-webapp",
        key_id: key.key_id,
        mode: "live",
        requests_last_hour: expect.any(Number),
        requests_last_24h: expect.any(Number),
      });
      expect(row).not.toHaveProperty("key");
      expect(list.body).not.toContain(key.key);
      const single = await alice.request("GET", `/api/keys/${key.id}`);
      expect(single.json()).toMatchObject({ id: key.id, name: "production-webapp" });
      expect(single.body).not.toContain(key.key);
    });

    it("renames and revokes; the very next request with the revoked key gets 401", async () => {
      const key = (await alice.request("POST", "/api/keys", { name: "staging", mode: "test" })).json();
      secrets.push(key.key);
      expect((await alice.request("PATCH", `/api/keys/${key.id}`, { name: "staging-eu" })).json().name).toBe("staging-eu");
      expect((await models(key.key)).statusCode).toBe(200);
      const revoked = await alice.request("DELETE", `/api/keys/${key.id}`);
      expect(revoked.json()).toMatchObject({ status: "revoked" });
      expect((await models(key.key)).json().error.code).toBe("revoked_api_key");
    });

    it("rolls with a grace period: both keys work, the old one gets 401 right after it ends; name carries over", async () => {
      const old = (await alice.request("POST", "/api/keys", { name: "worker", mode: "test" })).json();
      secrets.push(old.key);
      const rolled = await alice.request("POST", `/api/keys/${old.id}/roll`, { grace_seconds: 1 });
      expect(rolled.statusCode).toBe(201);
      const replacement = rolled.json();
      secrets.push(replacement.key);
      expect(replacement).toMatchObject({ name: "worker", mode: "test", rolled_from: old.id, previous_key: { id: old.id, status: "active" } });
      expect((await models(old.key)).statusCode).toBe(200);
      expect((await models(replacement.key)).statusCode).toBe(200);
      t.clock.advance(999);
      expect((await models(old.key)).statusCode).toBe(200);
      t.clock.advance(1);
      expect((await models(old.key)).json().error.code).toBe("expired_api_key");
      expect((await models(replacement.key)).statusCode).toBe(200);
    });

    it.each([
      ["none", "revoked"],
      ["1h", "active"],
      ["24h", "active"],
      ["7d", "active"],
      ["until_revoked", "active"],
    ])("roll grace %s leaves the old key %s", async (grace, status) => {
      const old = (await alice.request("POST", "/api/keys", { name: `g-${grace}`, mode: "test" })).json();
      const rolled = (await alice.request("POST", `/api/keys/${old.id}/roll`, { grace })).json();
      secrets.push(old.key, rolled.key);
      expect(rolled.previous_key.status).toBe(status);
      expect((await models(old.key)).statusCode).toBe(status === "active" ? 200 : 401);
      if (grace === "until_revoked") expect(rolled.previous_key.expires_at).toBeNull();
      if (grace === "1h") expect(Date.parse(rolled.previous_key.expires_at)).toBe(t.clock.now() + 3600_000);
    });
  });

  describe("errors", () => {
    it("validates input with the parameter named", async () => {
      expect((await alice.request("POST", "/api/keys", { mode: "live" })).json().error.param).toBe("name");
      expect((await alice.request("POST", "/api/keys", { name: "x", mode: "prod" })).json().error.param).toBe("mode");
      expect((await alice.request("POST", "/api/keys", { name: "x", expires_at: "tomorrow" })).json().error.param).toBe("expires_at");
      expect((await alice.request("POST", "/api/keys", { name: "x", expires_at: "2001-01-01T00:00:00Z" })).json().error.param).toBe("expires_at");
      const key = (await alice.request("POST", "/api/keys", { name: "r", mode: "test" })).json();
      expect((await alice.request("POST", `/api/keys/${key.id}/roll`, { grace: "forever" })).json().error.param).toBe("grace");
      await alice.request("DELETE", `/api/keys/${key.id}`);
      expect((await alice.request("POST", `/api/keys/${key.id}/roll`, { grace: "1h" })).statusCode).toBe(400);
    });

    it("the 51st active key on free → 403 plan_limit_reached naming the limit; revoking one makes room; pro is unlimited", async () => {
      const carol = await signedUp(t);
      const account = (await carol.request("GET", "/api/account")).json().account;
      const stored = await t.services.storage.accounts.get(account.id);
      for (let index = 0; index < 50; index += 1) await t.services.keys.create(stored!, { name: `k${index}`, mode: "test" });
      expect((await carol.request("GET", "/api/account")).json().account.active_keys).toBe(50);
      const refused = await carol.request("POST", "/api/keys", { name: "k51", mode: "test" });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe("plan_limit_reached");
      expect(refused.json().error.message).toMatch(/at most 50 active API keys.*Pro/);
      const first = (await carol.request("GET", "/api/keys?limit=1")).json().data[0];
      await carol.request("DELETE", `/api/keys/${first.id}`);
      expect((await carol.request("POST", "/api/keys", { name: "k51", mode: "test" })).statusCode).toBe(201);
      await t.app.inject({ method: "PATCH", url: `/admin/v1/accounts/${account.id}`, headers: bearer(ADMIN_TOKEN), payload: { plan: "pro" } });
      expect((await carol.request("POST", "/api/keys", { name: "k52", mode: "test" })).statusCode).toBe(201);
    });

    it("at the cap, rolling one key again and again (in turn and at once) never leaves more than 50 non-expiring keys: 409 key_already_rolled", async () => {
      const erin = await signedUp(t);
      const account = (await erin.request("GET", "/api/account")).json().account;
      const stored = await t.services.storage.accounts.get(account.id);
      for (let index = 0; index < 50; index += 1) await t.services.keys.create(stored!, { name: `k${index}`, mode: "test" });
      const target = (await erin.request("GET", "/api/keys?limit=1")).json().data[0];
      const first = await erin.request("POST", `/api/keys/${target.id}/roll`, { grace: "7d" });
      expect(first.statusCode).toBe(201);
      const replacement = first.json();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const again = await erin.request("POST", `/api/keys/${target.id}/roll`, { grace: "7d" });
        expect(again.statusCode).toBe(409);
        expect(again.json().error).toMatchObject({ code: "key_already_rolled", type: "invalid_request_error", param: "id" });
        expect(again.json().error.message).toContain(`••••${replacement.key_id} (${replacement.id})`);
        expect(again.json().error.message).toContain("Roll the replacement instead, or revoke this key");
      }
      const concurrent = await Promise.all(Array.from({ length: 10 }, () => erin.request("POST", `/api/keys/${replacement.id}/roll`, { grace: "7d" })));
      expect(concurrent.map((response) => response.statusCode).sort()).toEqual([201, ...Array(9).fill(409)]);
      for (const refused of concurrent.filter((response) => response.statusCode === 409)) expect(refused.json().error.code).toBe("key_already_rolled");
      const keys = (await erin.request("GET", "/api/keys?limit=200")).json().data as Array<{ status: string; expires_at: string | null }>;
      expect(keys).toHaveLength(52);
      expect(keys.filter((key) => key.status === "active" && key.expires_at === null)).toHaveLength(50);
      expect((await erin.request("GET", "/api/account")).json().account.active_keys).toBe(50);
      expect((await erin.request("POST", "/api/keys", { name: "k51", mode: "test" })).json().error.code).toBe("plan_limit_reached");
      const keep = await erin.request("POST", `/api/keys/${keys.at(-1)!.id}/roll`, { grace: "until_revoked" });
      expect(keep.statusCode).toBe(403);
      expect(keep.json().error.message).toContain("roll with a grace period instead");
      // Once the grace periods end, the same 50 keys remain.
      expect(await t.services.storage.keys.countActive(account.id, t.clock.now() + 7 * 24 * 3600 * 1000)).toBe(50);
    });

    it("pages keys with a cursor", async () => {
      const dave = await signedUp(t);
      for (let index = 0; index < 7; index += 1) await dave.request("POST", "/api/keys", { name: `p${index}`, mode: "test" });
      const first = (await dave.request("GET", "/api/keys?limit=5")).json();
      expect(first.data).toHaveLength(5);
      expect(first.has_more).toBe(true);
      const second = (await dave.request("GET", `/api/keys?limit=5&cursor=${first.next_cursor}`)).json();
      expect(second.data).toHaveLength(2);
      expect(second.has_more).toBe(false);
      expect((await dave.request("GET", "/api/keys?cursor=broken")).statusCode).toBe(400);
    });
  });

  describe("security", () => {
    it("another account's key answers 404 for get, rename, roll and revoke — and stays untouched", async () => {
      const key = (await alice.request("POST", "/api/keys", { name: "alice-only", mode: "test" })).json();
      secrets.push(key.key);
      for (const [method, url, payload] of [
        ["GET", `/api/keys/${key.id}`, undefined],
        ["PATCH", `/api/keys/${key.id}`, { name: "pwned" }],
        ["POST", `/api/keys/${key.id}/roll`, { grace: "none" }],
        ["DELETE", `/api/keys/${key.id}`, undefined],
      ] as const) {
        const response = await bob.request(method, url, payload);
        expect(response.statusCode, `${method} ${url}`).toBe(404);
        expect(response.json().error.code).toBe("key_not_found");
      }
      expect((await bob.request("GET", "/api/keys")).body).not.toContain(key.id);
      expect((await alice.request("GET", `/api/keys/${key.id}`)).json()).toMatchObject({ name: "alice-only", status: "active" });
      expect((await models(key.key)).statusCode).toBe(200);
    });

    it("a key cannot manage keys", async () => {
      const response = await t.app.inject({ method: "POST", url: "/api/keys", headers: bearer(secrets[0]!), payload: { name: "x" } });
      expect(response.statusCode).toBe(401);
    });

    it("no full key ever appears after creation: not in later responses, not in the logs", async () => {
      const everything = [(await alice.request("GET", "/api/keys?limit=200")).body, (await alice.request("GET", "/api/account")).body, t.logs.text()].join(
        "\n",
      );
      for (const secret of secrets) expect(everything).not.toContain(secret);
      expect(t.logs.text()).not.toMatch(/btoo_sk_(live|test)_[0-9A-Za-z]{8,}/);
    });
  });
});
