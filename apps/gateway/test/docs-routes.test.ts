import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { builtinCatalog, parseCatalog } from "@bentoo/core";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installErrorHandler } from "../src/http/error-handler.js";
import { DASHBOARD_SECURITY_HEADERS, dashboardRoutes } from "../src/routes/dashboard.js";
import { docsRoutes } from "../src/routes/docs.js";
import { createTestApp, type TestApp } from "./helpers.js";

/** A VitePress build as it comes out of apps/docs (clean URLs, base /docs/), in miniature. */
const page = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title><script type="module" src="/docs/assets/app.Ab12.js"></script></head><body></body></html>`;
const INDEX = page("Overview");
const API_KEYS = page("API keys");
const NOT_FOUND = page("404");
const SCRIPT = `console.log(${JSON.stringify("x".repeat(4000))});`;
const DASHBOARD_INDEX = '<!doctype html><html><body><div id="root"></div></body></html>';

/** The docs routes in front of the dashboard's fallback and the app's real error and 404 handlers. */
async function appServing(docsRoot: string, dashboardRoot: string, catalog = builtinCatalog()): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandler(app, 1024 * 1024);
  await app.register(async (docs) => docsRoutes(docs, { root: docsRoot, catalog }));
  await app.register(async (ui) => dashboardRoutes(ui, { root: dashboardRoot }));
  await app.ready();
  return app;
}

function expectSecurityHeaders(headers: Record<string, unknown>, what: string): void {
  for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) expect(headers[name], `${what} ${name}`).toBe(value);
}

describe("docs routes", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-docs-"));
  const dist = join(directory, "docs");
  const dashboard = join(directory, "dashboard");
  let app: FastifyInstance;
  let missing: FastifyInstance;

  beforeAll(async () => {
    mkdirSync(join(dist, "assets"), { recursive: true });
    mkdirSync(dashboard);
    writeFileSync(join(dist, "index.html"), INDEX);
    writeFileSync(join(dist, "api-keys.html"), API_KEYS);
    writeFileSync(join(dist, "404.html"), NOT_FOUND);
    writeFileSync(join(dist, "assets", "app.Ab12.js"), SCRIPT);
    writeFileSync(join(dist, "assets", "inter-roman-latin.Cd34.woff2"), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
    writeFileSync(join(dist, ".env"), "SECRET=1");
    writeFileSync(join(directory, "outside.txt"), "outside the build");
    symlinkSync(join(directory, "outside.txt"), join(dist, "linked.txt"));
    writeFileSync(join(dashboard, "index.html"), DASHBOARD_INDEX);
    app = await appServing(dist, dashboard);
    missing = await appServing(join(directory, "nope"), dashboard);
  });
  afterAll(async () => {
    await app?.close();
    await missing?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  describe("happy paths", () => {
    it("serves the overview at /docs/ with exactly the dashboard's security headers; /docs redirects there", async () => {
      const response = await app.inject({ url: "/docs/" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(response.headers["cache-control"]).toBe("no-cache");
      expect(response.body).toBe(INDEX);
      expectSecurityHeaders(response.headers, "/docs/");
      for (const [url, location] of [
        ["/docs", "/docs/"],
        ["/docs?q=keys", "/docs/?q=keys"],
      ]) {
        const redirect = await app.inject({ url: url! });
        expect([redirect.statusCode, redirect.headers.location], url).toEqual([301, location]);
      }
    });

    it("a deep link serves its page, by the clean URL VitePress links to and by its .html name; a reload gets 304", async () => {
      for (const url of ["/docs/api-keys", "/docs/api-keys.html", "/docs/api-keys?tab=live"]) {
        const response = await app.inject({ url });
        expect(response.statusCode, url).toBe(200);
        expect(response.body, url).toBe(API_KEYS);
        expectSecurityHeaders(response.headers, url);
      }
      const first = await app.inject({ url: "/docs/api-keys" });
      const reload = await app.inject({ url: "/docs/api-keys", headers: { "if-none-match": String(first.headers.etag) } });
      expect(reload.statusCode).toBe(304);
      expect(reload.body).toBe("");
      expect((await app.inject({ url: "/docs/index" })).body).toBe(INDEX);
    });

    it("serves hashed assets for a year, gzipped when asked", async () => {
      const plain = await app.inject({ url: "/docs/assets/app.Ab12.js" });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(plain.body).toBe(SCRIPT);
      const gzipped = await app.inject({ url: "/docs/assets/app.Ab12.js", headers: { "accept-encoding": "gzip, br" } });
      expect(gzipped.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gzipped.rawPayload).toString()).toBe(SCRIPT);
      const font = await app.inject({ url: "/docs/assets/inter-roman-latin.Cd34.woff2" });
      expect([font.statusCode, font.headers["content-type"], font.headers["cache-control"]]).toEqual([
        200,
        "font/woff2",
        "public, max-age=31536000, immutable",
      ]);
    });

    it("answers HEAD like GET without a body", async () => {
      const response = await app.inject({ method: "HEAD", url: "/docs/api-keys" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-security-policy"]).toBe(DASHBOARD_SECURITY_HEADERS["content-security-policy"]);
      expect(response.body).toBe("");
    });
  });

  describe("errors", () => {
    it("an unknown page gets VitePress's 404 page with status 404, never the dashboard", async () => {
      for (const url of ["/docs/no-such-page", "/docs/api-keys/", "/docs/guides/api-keys", "/docs/catalog"]) {
        const response = await app.inject({ url, headers: { accept: "text/html" } });
        expect(response.statusCode, url).toBe(404);
        expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
        expect(response.body, url).toBe(NOT_FOUND);
        expectSecurityHeaders(response.headers, url);
      }
    });

    it("a missing hashed asset is a plain 404, not a page the browser would try to run", async () => {
      const response = await app.inject({ url: "/docs/assets/app.Old9.js" });
      expect(response.statusCode).toBe(404);
      expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(response.body).not.toContain("<html");
    });

    it("without a build, /docs/ explains how to build it, under the same headers", async () => {
      for (const url of ["/docs/", "/docs/api-keys"]) {
        const response = await missing.inject({ url });
        expect(response.statusCode, url).toBe(200);
        expect(response.headers["cache-control"]).toBe("no-store");
        expect(response.body).toContain("documentation is not built");
        expect(response.body).toContain("npm run build");
        expectSecurityHeaders(response.headers, url);
      }
    });

    it("other methods get 405 naming GET and HEAD; the dashboard never answers below /docs", async () => {
      const post = await app.inject({ method: "POST", url: "/docs/api-keys", payload: {} });
      expect([post.statusCode, post.headers.allow, post.json().error.code]).toEqual([405, "GET, HEAD", "method_not_allowed"]);
      const dashboardOnly = Fastify();
      installErrorHandler(dashboardOnly, 1024);
      await dashboardOnly.register(async (ui) => dashboardRoutes(ui, { root: dashboard }));
      for (const url of ["/docs", "/docs/", "/docs/api-keys"]) {
        const response = await dashboardOnly.inject({ url, headers: { accept: "text/html" } });
        expect(response.statusCode, url).toBe(404);
        expect(response.json().error.code, url).toBe("not_found");
      }
      await dashboardOnly.close();
    });
  });

  describe("security", () => {
    it("never serves a file outside the build, a dotfile or a symlink", async () => {
      for (const url of [
        "/docs/../outside.txt",
        "/docs/%2e%2e/outside.txt",
        "/docs/assets/..%2f..%2foutside.txt",
        "/docs/.env",
        "/docs/linked.txt",
        "/docs/%2e%65nv",
      ]) {
        const response = await app.inject({ url });
        expect(response.body, url).not.toContain("outside the build");
        expect(response.body, url).not.toContain("SECRET");
      }
    });
  });

  describe("the public catalog", () => {
    it("lists every model with its public fields and exact prices, cached for a minute", async () => {
      const response = await app.inject({ url: "/docs/catalog.json" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(response.headers["cache-control"]).toBe("public, max-age=60");
      const body = response.json() as { object: string; data: Array<Record<string, unknown>> };
      expect(body.object).toBe("list");
      expect(body.data.map((model) => model.id)).toEqual(builtinCatalog().modelList.map((model) => model.id));
      for (const model of body.data)
        expect(Object.keys(model).sort(), String(model.id)).toEqual(["context_length", "id", "kind", "max_output_tokens", "pricing"]);
      expect(body.data.find((model) => model.id === "openai/gpt-6-luna")).toEqual({
        id: "openai/gpt-6-luna",
        kind: "chat",
        context_length: 1050000,
        max_output_tokens: 128000,
        pricing: { currency: "USD", input_per_mtok: 0.1, output_per_mtok: 0.5, cache_read_per_mtok: 0.01, cache_write_per_mtok: 0.125 },
      });
      expect(body.data.find((model) => model.id === "openai/text-embedding-3-small")).toEqual({
        id: "openai/text-embedding-3-small",
        kind: "embedding",
        context_length: 8191,
        max_output_tokens: null,
        pricing: { currency: "USD", input_per_mtok: 0.02, output_per_mtok: 0 },
      });
      const again = await app.inject({ url: "/docs/catalog.json", headers: { "if-none-match": String(response.headers.etag) } });
      expect(again.statusCode).toBe(304);
    });

    it("never shows how the server reaches a model: no provider, base URL, key or variable name", async () => {
      const catalog = parseCatalog({
        providers: [{ id: "private-vllm", type: "openai", base_url: "http://10.1.2.3:8000/v1", api_key_env: "INTERNAL_VLLM_TOKEN" }],
        models: [
          {
            id: "acme/llama-4",
            provider: "private-vllm",
            upstream_model: "meta/llama-4-internal",
            input_price_per_mtok: 1.32,
            output_price_per_mtok: 3.96,
            context_length: 131072,
          },
        ],
      });
      const custom = await appServing(dist, dashboard, catalog);
      const response = await custom.inject({ url: "/docs/catalog.json" });
      await custom.close();
      expect(response.json().data).toEqual([
        {
          id: "acme/llama-4",
          kind: "chat",
          context_length: 131072,
          max_output_tokens: null,
          pricing: { currency: "USD", input_per_mtok: 1.32, output_per_mtok: 3.96 },
        },
      ]);
      for (const secret of ["private-vllm", "10.1.2.3", "INTERNAL_VLLM_TOKEN", "meta/llama-4-internal", "base_url", "api_key", "_env", "provider"]) {
        expect(response.body, secret).not.toContain(secret);
      }
    });
  });
});

describe("docs routes inside the full app", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t?.dispose());

  it("the catalog needs no key; /docs pages are the docs' own, not the dashboard's", async () => {
    const catalog = await t.app.inject({ url: "/docs/catalog.json" });
    expect(catalog.statusCode).toBe(200);
    expect(catalog.json().data.length).toBe(builtinCatalog().modelList.length);
    const docs = await t.app.inject({ url: "/docs/", headers: { accept: "text/html" } });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers["content-security-policy"]).toBe(DASHBOARD_SECURITY_HEADERS["content-security-policy"]);
    expect(docs.body).not.toContain('<div id="root">');
    expect((await t.app.inject({ url: "/v1/models" })).json().error.code).toBe("missing_api_key");
  });
});
