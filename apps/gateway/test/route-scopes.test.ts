import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredScopes, requireScopes } from "../src/middleware/require-scope.js";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

describe("scopes are declared by route", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("a route under /v1 without a declared scope stops the app from starting", async () => {
    const app = Fastify();
    requireScopes(app);
    await expect(
      app.register(async (gateway) => {
        gateway.get("/v1/declared", { config: { scope: "inference" } }, async () => ({}));
        gateway.post("/v1/forgotten", async () => ({}));
      }),
    ).rejects.toThrow("POST /v1/forgotten declares no scope");
    await app.close();
    const fine = Fastify();
    requireScopes(fine);
    fine.get("/api/unscoped", async () => ({})); // not a key route
    await expect(fine.ready()).resolves.toBeDefined();
    await fine.close();
  });

  it("every route under /v1 refuses a key that lacks its scope with 403 insufficient_scope", async () => {
    const account = (
      await t.app.inject({ method: "POST", url: "/admin/v1/accounts", headers: bearer(ADMIN_TOKEN), payload: { email: "scopes@example.com" } })
    ).json();
    const keyWith = async (scopes: string[]) =>
      (
        await t.app.inject({
          method: "POST",
          url: `/admin/v1/accounts/${account.id}/keys`,
          headers: bearer(ADMIN_TOKEN),
          payload: { name: scopes.join("+"), mode: "test", scopes },
        })
      ).json().key as string;
    // A key with every scope but the route's own.
    const everyScopeBut = new Map<string, string>();
    for (const scope of ["inference", "audit:read", "key:read"])
      everyScopeBut.set(scope, await keyWith(["inference", "audit:read", "key:read"].filter((other) => other !== scope)));
    const routes = declaredScopes(t.app);
    expect(routes.map((route) => `${route.method} ${route.url} ${route.scope}`)).toEqual(
      expect.arrayContaining([
        "GET /v1/models inference",
        "GET /v1/models/* inference",
        "POST /v1/chat/completions inference",
        "GET /v1/key key:read",
        "GET /v1/audit/logs audit:read",
        "GET /v1/audit/logs/export audit:read",
      ]),
    );
    for (const route of routes) {
      const url = route.url.replace(/\*$/, "some-id").replace(/:[A-Za-z_]+/g, "some-id");
      const key = everyScopeBut.get(route.scope)!;
      const response = await t.app.inject({ method: route.method as "GET", url, headers: bearer(key), ...(route.method === "POST" ? { payload: {} } : {}) });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(403);
      // Every surface in its own error shape: OpenAI's carries the code; Anthropic's its type, with the scope named.
      if (route.method !== "HEAD")
        expect(response.body, `${route.method} ${route.url}`).toMatch(/"code":"insufficient_scope"|"type":"permission_error","message":"[^"]*lacks the/);
    }
  });
});
