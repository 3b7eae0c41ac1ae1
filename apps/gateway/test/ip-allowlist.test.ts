import { performance } from "node:perf_hooks";
import type { KeyWithAccount } from "@bentoo/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ipAllowlist } from "../src/middleware/ip-allowlist.js";
import { type Browser, signedUp } from "./api-helpers.js";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

const CHAT = { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 };

describe("IP allowlists at the gateway", () => {
  let t: TestApp;
  const admin = (method: "GET" | "PATCH", url: string, payload?: object) =>
    t.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload === undefined ? {} : { payload }) });
  const from = (key: string, remoteAddress: string) => t.app.inject({ url: "/v1/models", headers: bearer(key), remoteAddress });
  const statusFrom = async (key: string, remoteAddress: string) => (await from(key, remoteAddress)).statusCode;

  /** An enterprise account with one key whose allowlist (and the account's) are set through the admin API. */
  async function enterpriseKey(keyList: string[] | null, accountList: string[] | null = null) {
    const seeded = await t.seedAccount({ plan: "enterprise" });
    if (keyList !== null) expect((await admin("PATCH", `/admin/v1/keys/${seeded.keyId}`, { ip_allowlist: keyList })).statusCode).toBe(200);
    if (accountList !== null) expect((await admin("PATCH", `/admin/v1/accounts/${seeded.account.id}`, { ip_allowlist: accountList })).statusCode).toBe(200);
    return seeded;
  }

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.dispose());

  it("allows listed IPv4 sources and refuses others with 403 ip_not_allowed naming the source IP", async () => {
    const { key } = await enterpriseKey(["203.0.113.7", "198.51.100.0/24"]);
    expect(await statusFrom(key, "203.0.113.7")).toBe(200);
    expect(await statusFrom(key, "198.51.100.0")).toBe(200);
    expect(await statusFrom(key, "198.51.100.255")).toBe(200);
    const refused = await from(key, "203.0.113.9");
    expect(refused.statusCode).toBe(403);
    expect(refused.headers["x-request-id"]).toMatch(/^req_/);
    expect(refused.json().error).toMatchObject({ code: "ip_not_allowed", type: "permission_error", param: null });
    expect(refused.json().error.message).toContain("Requests from 203.0.113.9 are not allowed for this key (IP allowlist).");
    expect(await statusFrom(key, "198.51.101.0")).toBe(403);
    expect(await statusFrom(key, "198.51.99.255")).toBe(403);
  });

  it("allows listed IPv6 sources and blocks, edges included", async () => {
    const { key } = await enterpriseKey(["2001:db8:abcd::/48", "2001:db8::7"]);
    expect(await statusFrom(key, "2001:db8:abcd::")).toBe(200);
    expect(await statusFrom(key, "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff")).toBe(200);
    expect(await statusFrom(key, "2001:db8::7")).toBe(200);
    expect(await statusFrom(key, "2001:db8:abce::")).toBe(403);
    expect(await statusFrom(key, "2001:db8::8")).toBe(403);
    expect(await statusFrom(key, "198.51.100.1")).toBe(403);
  });

  it("matches IPv4-mapped IPv6 sockets (dual-stack listeners) against IPv4 entries, and the reverse", async () => {
    const { key } = await enterpriseKey(["10.0.0.0/8", "::ffff:192.0.2.0/120"]);
    expect(await statusFrom(key, "::ffff:10.20.30.40")).toBe(200);
    expect(await statusFrom(key, "::ffff:11.0.0.1")).toBe(403);
    expect(await statusFrom(key, "192.0.2.200")).toBe(200);
    expect(await statusFrom(key, "192.0.3.1")).toBe(403);
  });

  it("with a key list and an account list, a source must be in both", async () => {
    const { key } = await enterpriseKey(["198.51.100.0/24", "203.0.113.0/24"], ["198.51.100.0/24", "192.0.2.0/24"]);
    expect(await statusFrom(key, "198.51.100.9")).toBe(200);
    const accountRefuses = await from(key, "203.0.113.9");
    expect(accountRefuses.statusCode).toBe(403);
    expect(accountRefuses.json().error.message).toContain("not allowed for this key's account");
    const keyRefuses = await from(key, "192.0.2.9");
    expect(keyRefuses.statusCode).toBe(403);
    expect(keyRefuses.json().error.message).toContain("not allowed for this key (IP allowlist)");
  });

  it("an account list alone applies to every key of the account", async () => {
    const { key, account } = await enterpriseKey(null, ["192.0.2.0/24"]);
    const second = await t.services.keys.create(account, { name: "second", mode: "test" });
    expect(await statusFrom(key, "192.0.2.1")).toBe(200);
    expect(await statusFrom(second.secret, "192.0.2.1")).toBe(200);
    expect(await statusFrom(second.secret, "192.0.3.1")).toBe(403);
  });

  it("is checked before rate limits and credits: refused requests spend neither", async () => {
    const { key, keyId, account } = await t.seedAccount({ plan: "enterprise", mode: "live" });
    await admin("PATCH", `/admin/v1/accounts/${account.id}`, { rpm_limit: 1 });
    await admin("PATCH", `/admin/v1/keys/${keyId}`, { ip_allowlist: ["192.0.2.1"] });
    const chat = (remoteAddress: string) => t.app.inject({ method: "POST", url: "/v1/chat/completions", headers: bearer(key), payload: CHAT, remoteAddress });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await chat("192.0.2.2");
      expect(refused.json().error.code).toBe("ip_not_allowed");
      expect(refused.headers["x-ratelimit-remaining-requests"]).toBeUndefined();
    }
    // The one request per minute is still there, and the balance decides: 402, not 429.
    const allowed = await chat("192.0.2.1");
    expect(allowed.json().error.code).toBe("insufficient_credits");
  });

  it("writes an audit record for a refused request, with the source IP and the error code", async () => {
    const { key, account } = await enterpriseKey(["192.0.2.1"]);
    const refused = await from(key, "203.0.113.50");
    expect(refused.statusCode).toBe(403);
    await t.services.records.flush();
    const page = await t.services.storage.audit.query({ accountId: account.id, type: "request", status: 403, limit: 10 });
    const record = page.records.find((entry) => entry.requestId === refused.headers["x-request-id"]);
    expect(record).toMatchObject({ status: 403, errorCode: "ip_not_allowed", sourceIp: "203.0.113.50", keyLast4: key.slice(-4) });
  });

  it("takes an allowlist change into effect on the very next request (cached keys are invalidated)", async () => {
    const { key, keyId, account } = await enterpriseKey(["192.0.2.0/24"]);
    expect(await statusFrom(key, "192.0.2.10")).toBe(200);
    expect(await statusFrom(key, "192.0.2.10")).toBe(200); // served from the key cache
    await admin("PATCH", `/admin/v1/keys/${keyId}`, { ip_allowlist: ["198.51.100.0/24"] });
    expect(await statusFrom(key, "192.0.2.10")).toBe(403);
    expect(await statusFrom(key, "198.51.100.10")).toBe(200);
    await admin("PATCH", `/admin/v1/accounts/${account.id}`, { ip_allowlist: ["203.0.113.0/24"] });
    expect(await statusFrom(key, "198.51.100.10")).toBe(403);
    await admin("PATCH", `/admin/v1/accounts/${account.id}`, { ip_allowlist: null });
    await admin("PATCH", `/admin/v1/keys/${keyId}`, { ip_allowlist: [] });
    expect(await statusFrom(key, "203.0.113.99")).toBe(200);
    expect((await admin("GET", `/admin/v1/keys/${keyId}`)).json().ip_allowlist).toBeNull();
  });

  describe("management: plans, validation, normalization", () => {
    let enterprise: Browser;
    let enterpriseAccountId: string;
    let enterpriseKeyId: string;

    beforeAll(async () => {
      enterprise = await signedUp(t);
      enterpriseAccountId = (await enterprise.request("GET", "/api/account")).json().account.id;
      await admin("PATCH", `/admin/v1/accounts/${enterpriseAccountId}`, { plan: "enterprise" });
      enterpriseKeyId = (await enterprise.request("POST", "/api/keys", { name: "ci", mode: "test" })).json().id;
    });

    it.each(["free", "pro", "enterprise"] as const)(
      "on %s: 403 plan_required on every surface (admin and /api, key and account) unless the plan allows lists",
      async (plan) => {
        const browser = await signedUp(t);
        const accountId = (await browser.request("GET", "/api/account")).json().account.id;
        const keyId = (await browser.request("POST", "/api/keys", { name: "k", mode: "test" })).json().id;
        if (plan !== "free") expect((await admin("PATCH", `/admin/v1/accounts/${accountId}`, { plan })).statusCode).toBe(200);
        const attempts = [
          { surface: "admin", response: await admin("PATCH", `/admin/v1/keys/${keyId}`, { ip_allowlist: ["192.0.2.1"] }) },
          { surface: "admin", response: await admin("PATCH", `/admin/v1/accounts/${accountId}`, { ip_allowlist: ["192.0.2.2"] }) },
          { surface: "dashboard", response: await browser.request("PATCH", `/api/keys/${keyId}`, { ip_allowlist: ["192.0.2.3"] }) },
          { surface: "dashboard", response: await browser.request("PATCH", "/api/account", { ip_allowlist: ["192.0.2.4"] }) },
        ];
        for (const { surface, response } of attempts) {
          if (plan === "enterprise") {
            expect(response.statusCode).toBe(200);
            continue;
          }
          expect(response.statusCode).toBe(403);
          expect(response.json().error).toMatchObject({ code: "plan_required", param: "ip_allowlist" });
          expect(response.json().error.message).toMatch(/need the Enterprise plan/);
          // Each audience is told what it can do about it.
          expect(response.json().error.message).toContain(surface === "admin" ? `bentoo accounts set-plan ${accountId} enterprise` : "ask your operator");
        }
        const expected = plan === "enterprise" ? { key: ["192.0.2.3"], account: ["192.0.2.4"] } : { key: null, account: null };
        expect((await admin("GET", `/admin/v1/keys/${keyId}`)).json().ip_allowlist).toEqual(expected.key);
        expect((await admin("GET", `/admin/v1/accounts/${accountId}`)).json().ip_allowlist).toEqual(expected.account);
        // Clearing is always allowed (an account that moved down a plan can drop its list).
        expect((await browser.request("PATCH", "/api/account", { ip_allowlist: null })).statusCode).toBe(200);
        expect((await browser.request("PATCH", `/api/keys/${keyId}`, { ip_allowlist: [] })).statusCode).toBe(200);
      },
    );

    it("a bad entry is a 400 naming it, on every surface; nothing is stored", async () => {
      const bad = ["192.0.2.1", "2001:db8::/32", "10.0.0.999"];
      const attempts = [
        await admin("PATCH", `/admin/v1/keys/${enterpriseKeyId}`, { ip_allowlist: bad }),
        await admin("PATCH", `/admin/v1/accounts/${enterpriseAccountId}`, { ip_allowlist: bad }),
        await enterprise.request("PATCH", `/api/keys/${enterpriseKeyId}`, { ip_allowlist: bad }),
        await enterprise.request("PATCH", "/api/account", { ip_allowlist: bad }),
      ];
      for (const attempt of attempts) {
        expect(attempt.statusCode).toBe(400);
        expect(attempt.json().error).toMatchObject({ code: "invalid_request", param: "ip_allowlist[2]" });
        expect(attempt.json().error.message).toContain('ip_allowlist[2] "10.0.0.999" is not an IP address or CIDR block');
      }
      expect((await admin("GET", `/admin/v1/keys/${enterpriseKeyId}`)).json().ip_allowlist).toBeNull();
      expect((await admin("GET", `/admin/v1/accounts/${enterpriseAccountId}`)).json().ip_allowlist).toBeNull();
      expect((await enterprise.request("PATCH", "/api/account", { ip_allowlist: "192.0.2.1" })).json().error.param).toBe("ip_allowlist");
      expect((await enterprise.request("PATCH", "/api/account", {})).json().error.param).toBe("ip_allowlist");
      expect((await enterprise.request("PATCH", "/api/account", { ip_allowlist: Array(1001).fill("192.0.2.1") })).statusCode).toBe(400);
    });

    it("stores normalized entries, visible on both APIs", async () => {
      const key = await enterprise.request("PATCH", `/api/keys/${enterpriseKeyId}`, {
        ip_allowlist: [" 198.51.100.7 ", "2001:DB8:0::/48", "10.1.2.3/8", "10.0.0.0/8"],
      });
      expect(key.statusCode).toBe(200);
      expect(key.json().ip_allowlist).toEqual(["198.51.100.7", "2001:db8::/48", "10.0.0.0/8"]);
      const account = await enterprise.request("PATCH", "/api/account", { ip_allowlist: ["203.0.113.0/24", "::FFFF:192.0.2.1"] });
      expect(account.statusCode).toBe(200);
      expect(account.json().account.ip_allowlist).toEqual(["203.0.113.0/24", "::ffff:192.0.2.1"]);
      expect(account.json().csrf_token).toEqual(expect.any(String));
      expect((await admin("GET", `/admin/v1/accounts/${enterpriseAccountId}`)).json().ip_allowlist).toEqual(["203.0.113.0/24", "::ffff:192.0.2.1"]);
      expect((await enterprise.request("PATCH", "/api/account", { ip_allowlist: null })).json().account.ip_allowlist).toBeNull();
    });

    it("PATCH /api/account needs the CSRF token like every state change", async () => {
      const response = await enterprise.request("PATCH", "/api/account", { ip_allowlist: null }, { "x-csrf-token": "wrong" });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe("invalid_csrf_token");
    });

    it("a change through /api/account reaches cached keys at once", async () => {
      const created = (await enterprise.request("POST", "/api/keys", { name: "cached", mode: "test" })).json();
      expect(await statusFrom(created.key, "198.51.100.1")).toBe(200);
      await enterprise.request("PATCH", "/api/account", { ip_allowlist: ["192.0.2.0/24"] });
      expect(await statusFrom(created.key, "198.51.100.1")).toBe(403);
      expect(await statusFrom(created.key, "192.0.2.1")).toBe(200);
      await enterprise.request("PATCH", "/api/account", { ip_allowlist: null });
      expect(await statusFrom(created.key, "198.51.100.1")).toBe(200);
    });
  });

  it("costs microseconds per request (micro-benchmark of the hook, printed)", async () => {
    const hook = ipAllowlist();
    // The hook answers through its callback, synchronously: undefined lets the request through.
    const check = (request: FastifyRequest): unknown => {
      let outcome: unknown = "callback not called";
      hook(request, {} as FastifyReply, (error?: unknown) => {
        outcome = error;
      });
      return outcome;
    };
    const { account, keyId } = await t.seedAccount({ plan: "enterprise" });
    const key = (await t.services.storage.keys.get(keyId))!;
    const many = Array.from({ length: 1000 }, (_, index) => `10.${index >> 8}.${index & 255}.0/24`);
    const cases: Array<[string, string[] | null, string[] | null, string]> = [
      ["no allowlist", null, null, "192.0.2.1"],
      ["key list of 3, IPv4 hit", ["192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"], null, "192.0.2.1"],
      ["key list of 3, IPv6 hit", ["192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"], null, "2001:db8::1"],
      ["key + account lists, mapped IPv4", ["192.0.2.0/24"], ["192.0.2.0/24"], "::ffff:192.0.2.1"],
      ["key list of 1000, last entry hit", many, null, "10.3.231.1"],
    ];
    const lines: string[] = [];
    for (const [label, keyList, accountList, ip] of cases) {
      const subject: KeyWithAccount = { key: { ...key, ipAllowlist: keyList }, account: { ...account, ipAllowlist: accountList } };
      const request = { subject, ip } as unknown as FastifyRequest;
      expect(check(request)).toBeUndefined(); // compiles and caches the lists, and must allow
      const rounds = 50_000;
      const started = performance.now();
      for (let round = 0; round < rounds; round += 1) check(request);
      lines.push(`  ${label.padEnd(36)} ${(((performance.now() - started) * 1000) / rounds).toFixed(3)} µs/request`);
    }
    process.stdout.write(`\nIP allowlist check, per request (after the list is compiled once):\n${lines.join("\n")}\n`);
  });
});
