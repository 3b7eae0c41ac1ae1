import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installErrorHandler } from "../src/http/error-handler.js";
import { DASHBOARD_SECURITY_HEADERS, dashboardRoutes } from "../src/routes/dashboard.js";
import { createTestApp, type TestApp } from "./helpers.js";

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify("x".repeat(4000))});`;
/** What Chromium sends when it navigates to a page. */
const BROWSER = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

/** The dashboard routes alone, in front of the app's real error and 404 handlers, on a fake build. */
async function appServing(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandler(app, 1024 * 1024);
  app.get("/api/known", async () => ({ ok: true }));
  await app.register(async (ui) => dashboardRoutes(ui, { root }));
  await app.ready();
  return app;
}

describe("dashboard routes", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-dashboard-"));
  const dist = join(directory, "dist");
  let app: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), INDEX);
    writeFileSync(join(dist, "assets", "app-abc123.js"), SCRIPT);
    writeFileSync(join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    writeFileSync(join(dist, ".env"), "SECRET=1");
    writeFileSync(join(directory, "outside.txt"), "outside the build");
    symlinkSync(join(directory, "outside.txt"), join(dist, "linked.txt"));
    app = await appServing(dist);
    missing = await appServing(join(directory, "nope"));
  });
  afterAll(async () => {
    await app?.close();
    await missing?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  describe("happy paths", () => {
    it("serves index.html at / and for every client-side route (deep links), with the security headers", async () => {
      for (const url of ["/", "/settings/api-keys", "/logs?range=24h", "/models/", "/index.html"]) {
        const response = await app.inject({ url, headers: BROWSER });
        expect(response.statusCode, url).toBe(200);
        expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
        expect(response.body).toBe(INDEX);
        expect(response.headers["cache-control"]).toBe("no-cache");
        for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) expect(response.headers[name], `${url} ${name}`).toBe(value);
      }
    });

    it("the CSP allows no inline script, framing or foreign origin", () => {
      const csp = DASHBOARD_SECURITY_HEADERS["content-security-policy"]!;
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(DASHBOARD_SECURITY_HEADERS["x-frame-options"]).toBe("DENY");
      expect(DASHBOARD_SECURITY_HEADERS["referrer-policy"]).toBe("no-referrer");
    });

    it("serves hashed assets for a year, gzipped when asked, with an ETag that gives 304", async () => {
      const plain = await app.inject({ url: "/assets/app-abc123.js" });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(plain.headers["x-content-type-options"]).toBe("nosniff");
      expect(plain.body).toBe(SCRIPT);
      const gzipped = await app.inject({ url: "/assets/app-abc123.js", headers: { "accept-encoding": "br, gzip" } });
      expect(gzipped.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gzipped.rawPayload).toString()).toBe(SCRIPT);
      const again = await app.inject({ url: "/assets/app-abc123.js", headers: { "if-none-match": String(plain.headers.etag) } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe("");
      const icon = await app.inject({ url: "/favicon.svg" });
      expect([icon.statusCode, icon.headers["content-type"], icon.headers["cache-control"]]).toEqual([200, "image/svg+xml", "no-cache"]);
    });

    it("answers HEAD like GET without a body", async () => {
      const response = await app.inject({ method: "HEAD", url: "/settings/api-keys", headers: BROWSER });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe("");
    });
  });

  describe("errors", () => {
    it("unknown API paths keep the JSON 404; known API routes still win", async () => {
      for (const url of ["/v1/nope", "/api/nope", "/admin/v1/nope", "/api", "/healthz/x", "/metrics"]) {
        const response = await app.inject({ url, headers: BROWSER });
        expect(response.statusCode, url).toBe(404);
        expect(response.json().error.code, url).toBe("not_found");
        expect(response.headers["content-security-policy"]).toBeUndefined();
      }
      expect((await app.inject({ url: "/api/known" })).json()).toEqual({ ok: true });
      expect((await app.inject({ method: "POST", url: "/settings/api-keys", payload: {} })).json().error.code).toBe("not_found");
    });

    it("a client that does not ask for HTML (curl, an SDK with a wrong base URL) gets the JSON 404, except at /", async () => {
      for (const accept of [undefined, "*/*", "application/json"]) {
        const headers = accept === undefined ? {} : { accept };
        const response = await app.inject({ url: "/v2/chat/completions", headers });
        expect(response.statusCode, accept).toBe(404);
        expect(response.json().error.code).toBe("not_found");
        expect((await app.inject({ url: "/", headers })).body).toBe(INDEX);
      }
    });

    it("a missing hashed asset is a 404, not index.html", async () => {
      const response = await app.inject({ url: "/assets/app-old999.js", headers: BROWSER });
      expect(response.statusCode).toBe(404);
      expect(response.body).not.toContain("<html");
    });

    it("without a build, / explains how to build the dashboard", async () => {
      const response = await missing.inject({ url: "/" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(response.body).toContain("npm run build");
      expect(response.headers["content-security-policy"]).toBe(DASHBOARD_SECURITY_HEADERS["content-security-policy"]);
      expect((await missing.inject({ url: "/api/nope" })).statusCode).toBe(404);
    });
  });

  describe("security", () => {
    it("never serves a file outside the build, a dotfile or a symlink", async () => {
      for (const url of ["/../outside.txt", "/%2e%2e/outside.txt", "/assets/..%2f..%2foutside.txt", "/..%5coutside.txt", "/.env", "/linked.txt", "/%2e%65nv"]) {
        const response = await app.inject({ url, headers: BROWSER });
        expect(response.body, url).not.toContain("outside the build");
        expect(response.body, url).not.toContain("SECRET");
      }
    });

    it("a malformed escape gets a 400 from Fastify, not a crash or the page", async () => {
      const response = await app.inject({ url: "/%E0%A4%A" });
      expect(response.statusCode).toBe(400);
      expect(response.body).not.toContain("<html");
    });
  });
});

describe("dashboard routes inside the full app", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.dispose());

  it("registers last: API 404s stay JSON and the API keeps working", async () => {
    expect((await t.app.inject({ url: "/v1/does-not-exist" })).json().error.code).toBe("not_found");
    expect((await t.app.inject({ url: "/api/does-not-exist" })).json().error.code).toBe("not_found");
    expect((await t.app.inject({ url: "/api/keys" })).json().error.code).toBe("invalid_session");
    expect((await t.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    expect((await t.app.inject({ url: "/v2/nothing" })).json().error.code).toBe("not_found");
    const page = await t.app.inject({ url: "/settings/api-keys", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(200);
    expect(page.headers["x-frame-options"]).toBe("DENY");
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
  });
});
