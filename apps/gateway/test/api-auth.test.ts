import { storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browser, signedUp } from "./api-helpers.js";
import { createTestApp, type TestApp } from "./helpers.js";

describe.each(storageTargets())("account API sessions on $name", (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ target });
  });
  afterAll(() => t?.dispose());

  describe("happy paths", () => {
    it("signs up with an HttpOnly, SameSite=Lax session cookie and a CSRF token; /api/account works", async () => {
      const b = browser(t);
      const response = await b.request("POST", "/api/auth/signup", { email: "New@Example.com", password: "a long enough password" });
      expect(response.statusCode).toBe(201);
      const cookie = String(response.headers["set-cookie"]);
      expect(cookie).toMatch(/^bentoo_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/);
      expect(response.json()).toMatchObject({
        account: { email: "new@example.com", plan: "free", limits: { max_active_keys: 50 }, active_keys: 0 },
        csrf_token: expect.any(String),
      });
      const account = await b.request("GET", "/api/account");
      expect(account.statusCode).toBe(200);
      expect(account.json().account.email).toBe("new@example.com");
      const stored = await t.services.storage.accounts.passwordHashOf("new@example.com");
      expect(stored).toMatch(/^scrypt\$32768\$8\$1\$/);
    });

    it("marks the cookie Secure when the request came over HTTPS", async () => {
      const secure = await t.app.inject({
        method: "POST",
        url: "/api/auth/signup",
        payload: { email: "secure@example.com", password: "a long enough password" },
        headers: { "x-forwarded-proto": "https" },
      });
      expect(secure.statusCode).toBe(201);
      // Behind no trusted proxy the header is ignored: the connection itself was plain HTTP.
      expect(String(secure.headers["set-cookie"])).not.toContain("Secure");
    });

    it("signs in (rotating the session), signs out, and the old cookie stops working", async () => {
      const first = await signedUp(t);
      const oldCookie = first.cookie;
      const signIn = await first.request("POST", "/api/auth/signin", { email: first.email, password: "a long enough password" });
      expect(signIn.statusCode).toBe(200);
      expect(first.cookie).not.toBe(oldCookie);
      const stale = await t.app.inject({ method: "GET", url: "/api/account", headers: { cookie: oldCookie! } });
      expect(stale.statusCode).toBe(401);
      expect((await first.request("POST", "/api/auth/signout")).statusCode).toBe(204);
      const after = await t.app.inject({ method: "GET", url: "/api/account", headers: { cookie: signIn.headers["set-cookie"]!.toString().split(";")[0]! } });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.code).toBe("invalid_session");
    });

    it("a session ends 7 days after sign-in, whatever its use meanwhile", async () => {
      const signedUpAt = t.clock.now();
      const b = await signedUp(t);
      t.clock.set(signedUpAt + 7 * 24 * 3600 * 1000 - 1);
      expect((await b.request("GET", "/api/account")).statusCode).toBe(200);
      t.clock.advance(1);
      const ended = await b.request("GET", "/api/account");
      expect(ended.statusCode).toBe(401);
      expect(ended.json().error.code).toBe("invalid_session");
    });
  });

  describe("errors", () => {
    it("rejects weak input and duplicate emails", async () => {
      const b = browser(t);
      expect((await b.request("POST", "/api/auth/signup", { email: "nope", password: "a long enough password" })).json().error.param).toBe("email");
      expect((await b.request("POST", "/api/auth/signup", { email: "short@example.com", password: "short" })).json().error.param).toBe("password");
      await signedUp(t, "twice@example.com");
      const again = await b.request("POST", "/api/auth/signup", { email: "twice@example.com", password: "a long enough password" });
      expect(again.statusCode).toBe(409);
    });

    it("a wrong password and an unknown email get the same 401 invalid_credentials", async () => {
      const user = await signedUp(t);
      const wrong = await browser(t).request("POST", "/api/auth/signin", { email: user.email, password: "not the password" });
      const unknown = await browser(t).request("POST", "/api/auth/signin", { email: "ghost@example.com", password: "not the password" });
      expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
      expect(wrong.json()).toEqual(unknown.json());
    });
  });

  describe("security", () => {
    it("every /api route needs a session", async () => {
      for (const [method, url] of [
        ["GET", "/api/account"],
        ["GET", "/api/keys"],
        ["POST", "/api/keys"],
        ["POST", "/api/auth/signout"],
      ] as const) {
        const response = await t.app.inject({ method, url, payload: method === "POST" ? {} : undefined });
        expect(response.statusCode, `${method} ${url}`).toBe(401);
        expect(response.json().error.code).toBe("invalid_session");
      }
    });

    it("state-changing calls need the CSRF token and the dashboard's origin", async () => {
      const b = await signedUp(t);
      const missing = await b.request("POST", "/api/keys", { name: "x", mode: "test" }, { "x-csrf-token": "" });
      expect(missing.statusCode).toBe(403);
      expect(missing.json().error.code).toBe("invalid_csrf_token");
      const wrong = await b.request("POST", "/api/keys", { name: "x", mode: "test" }, { "x-csrf-token": "A".repeat(43) });
      expect(wrong.statusCode).toBe(403);
      const foreign = await b.request("POST", "/api/keys", { name: "x", mode: "test" }, { origin: "https://evil.example" });
      expect(foreign.statusCode).toBe(403);
      const good = await b.request("POST", "/api/keys", { name: "x", mode: "test" }, { origin: "http://bentoo.test" });
      expect(good.statusCode).toBe(201);
    });

    it("a form post (text/plain) is refused, so no cross-site form can act", async () => {
      const b = await signedUp(t);
      const response = await t.app.inject({
        method: "POST",
        url: "/api/keys",
        headers: { cookie: b.cookie!, "content-type": "text/plain", "x-csrf-token": b.csrf! },
        payload: '{"name":"x"}',
      });
      expect(response.statusCode).toBe(415);
    });

    it("an API key is not a session", async () => {
      const { key } = await t.seedAccount();
      const response = await t.app.inject({ method: "GET", url: "/api/keys", headers: { authorization: `Bearer ${key}` } });
      expect(response.statusCode).toBe(401);
    });
  });
});
