import { ERROR_CATALOGUE } from "@bentoo/core";
import { validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredRoutes } from "../src/http/known-routes.js";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked loosely here.
type Json = Record<string, any>;

const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Routes outside both documents (and the dashboard's pages at / and /*). */
const UNDOCUMENTED_PREFIXES = [
  "/api/", // the dashboard's own session API
  "/docs", // the docs site
  "/healthz",
  "/readyz",
  "/metrics",
  "/openapi.json",
];

/** Codes only the dashboard's session API answers with. */
const DASHBOARD_ONLY_CODES = new Set(["invalid_session", "invalid_credentials", "invalid_csrf_token"]);

/** The OpenAPI path of a Fastify route URL (`:id` → `{id}`, the catalog's wildcard → `{model}`). */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, "{$1}").replace("/v1/models/*", "/v1/models/{model}");
}

function operations(document: Json): { path: string; method: string; operation: Json }[] {
  return Object.entries(document.paths as Json).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method] as Json })),
  );
}

/** A value that fills a path parameter: an id of the right kind that names nothing, or a real model. */
function sample(name: string): string {
  if (name === "model") return "openai/gpt-6-luna";
  return `${name}_doesnotexist000000000000`;
}

describe("the OpenAPI documents", () => {
  let t: TestApp;
  let key: string;
  let api: Json;
  let admin: Json;
  beforeAll(async () => {
    t = await createTestApp({ adminToken: ADMIN_TOKEN });
    ({ key } = await t.seedAccount({ scopes: ["inference", "key:read", "audit:read"] }));
    const publicAnswer = await t.app.inject({ url: "/openapi.json", headers: { host: "api.example.test" } });
    expect(publicAnswer.statusCode).toBe(200);
    api = publicAnswer.json();
    const adminAnswer = await t.app.inject({ url: "/admin/v1/openapi.json", headers: bearer(ADMIN_TOKEN) });
    expect(adminAnswer.statusCode).toBe(200);
    admin = adminAnswer.json();
  });
  afterAll(() => t?.dispose());

  it("are valid OpenAPI 3.1", async () => {
    for (const document of [api, admin]) {
      expect(document.openapi).toBe("3.1.0");
      const result = await validate(structuredClone(document));
      expect(result.valid, JSON.stringify(result, null, 2)).toBe(true);
    }
  });

  it("are checked by a validator that does reject a broken document", async () => {
    const broken = structuredClone(api);
    delete broken.info;
    broken.paths["/v1/models"].get.responses = { 200: { content: {} } };
    expect((await validate(broken)).valid).toBe(false);
  });

  it("serve the customer API publicly, naming the origin the client used, and the admin API only with the admin token", async () => {
    expect(api.servers).toEqual([{ url: "http://api.example.test", description: "This Bentoo server" }]);
    expect(Object.keys(api.paths).every((path) => path.startsWith("/v1/"))).toBe(true);
    expect(Object.keys(admin.paths).every((path) => path.startsWith("/admin/v1/"))).toBe(true);
    const without = await t.app.inject({ url: "/admin/v1/openapi.json" });
    expect(without.statusCode).toBe(401);
    expect(without.json().error.code).toBe("invalid_admin_token");
    expect(JSON.stringify(api)).not.toContain("x-error-hint");
  });

  it("document every route of the customer and admin APIs, each with a summary, an id, a tag, security and its answers", () => {
    const routes = registeredRoutes(t.app).filter(({ method }) => method !== "HEAD" && method !== "OPTIONS");
    const apiRoutes = routes.filter(({ url }) => url.startsWith("/v1/") || url.startsWith("/admin/v1/"));
    expect(apiRoutes.length).toBeGreaterThan(20);
    for (const { method, url } of routes) {
      if (apiRoutes.some((route) => route.url === url && route.method === method)) continue;
      expect(
        UNDOCUMENTED_PREFIXES.some((prefix) => url.startsWith(prefix)) || url === "/" || url === "/*",
        `${method} ${url} is neither in a document nor listed as undocumented`,
      ).toBe(true);
    }
    // Every problem at once, so that one run lists all the routes still to document.
    const problems: string[] = [];
    const operationIds = new Set<string>();
    for (const { method, url } of apiRoutes) {
      const document = url.startsWith("/admin/") ? admin : api;
      const operation = document.paths[openApiPath(url)]?.[method.toLowerCase()] as Json | undefined;
      const name = `${method} ${url}`;
      if (operation === undefined) {
        problems.push(`${name} is not in its document`);
        continue;
      }
      if (typeof operation.summary !== "string") problems.push(`${name} has no summary`);
      if (typeof operation.description !== "string") problems.push(`${name} has no description`);
      if (!(operation.tags?.length > 0)) problems.push(`${name} has no tag`);
      if (!(operation.security?.length > 0)) problems.push(`${name} names no security`);
      if (typeof operation.operationId !== "string" || operationIds.has(operation.operationId)) problems.push(`${name}: operationId missing or used twice`);
      operationIds.add(operation.operationId);
      const statuses = Object.keys(operation.responses);
      if (!statuses.some((status) => status.startsWith("2"))) problems.push(`${name} documents no success answer`);
      if (!statuses.includes("401")) problems.push(`${name} documents no authentication failure`);
      // A body-less action (roll a key, say) documents no requestBody; one with a body documents it as JSON.
      if (operation.requestBody !== undefined && operation.requestBody.content?.["application/json"] === undefined)
        problems.push(`${name} documents a body that is not JSON`);
    }
    expect(problems).toEqual([]);
  });

  it("list every error code the API answers with", () => {
    const text = JSON.stringify([api, admin]);
    const missing = Object.keys(ERROR_CATALOGUE).filter((code) => !DASHBOARD_ONLY_CODES.has(code) && !text.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("name only paths that answer: no documented operation meets the router's 404 or 405", async () => {
    for (const document of [api, admin]) {
      const headers = document === admin ? bearer(ADMIN_TOKEN) : bearer(key);
      for (const { path, method } of operations(document)) {
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => sample(name));
        const body = method === "get" || method === "delete" ? undefined : {};
        const answer = await t.app.inject({ method: method.toUpperCase() as "GET", url, headers, ...(body === undefined ? {} : { payload: body }) });
        const name = `${method.toUpperCase()} ${path}`;
        expect(answer.statusCode, `${name} → 405`).not.toBe(405);
        const code = answer.statusCode === 404 ? answer.json().error?.code : undefined;
        expect(code, `${name} → the router's 404`).not.toBe("not_found");
        expect(answer.statusCode, `${name} → ${answer.statusCode}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
      }
    }
  });
});
