import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

describe("health, readiness and metrics", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp();
    ({ key } = await t.seedAccount({ mode: "test" }));
  });
  afterAll(() => t?.dispose());

  it("/healthz answers while the process runs; /readyz checks storage (and Redis when configured)", async () => {
    expect((await t.app.inject({ url: "/healthz" })).json()).toEqual({ status: "ok" });
    const ready = await t.app.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", storage: "ok", redis: "not_configured" });
    const original = t.services.storage.ping.bind(t.services.storage);
    t.services.storage.ping = async () => {
      throw new Error("database gone");
    };
    try {
      const down = await t.app.inject({ url: "/readyz" });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ status: "not_ready", storage: "unreachable" });
      expect(down.body).not.toContain("database gone");
    } finally {
      t.services.storage.ping = original;
    }
  });

  it("/metrics counts requests by route, status, model and provider, and exposes queue depths", async () => {
    for (let index = 0; index < 3; index += 1) {
      await t.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: bearer(key),
        payload: { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }] },
      });
    }
    await t.app.inject({ url: "/v1/models" });
    const metrics = await t.app.inject({ url: "/metrics" });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers["content-type"]).toContain("text/plain");
    expect(metrics.body).toContain('bentoo_http_requests_total{route="/v1/chat/completions",status="200",model="openai/gpt-6-luna",provider="sandbox"} 3');
    expect(metrics.body).toContain('bentoo_http_requests_total{route="/v1/models",status="401",model="",provider=""} 1');
    expect(metrics.body).toMatch(/bentoo_http_request_duration_seconds_bucket\{le="0.5",route="\/v1\/chat\/completions",status="200"\} 3/);
    expect(metrics.body).toContain('bentoo_limiter_decisions_total{decision="allowed"} 3');
    expect(metrics.body).toMatch(/bentoo_audit_queue_depth \d+/);
    expect(metrics.body).toMatch(/bentoo_upstream_duration_seconds_count\{provider="sandbox",outcome="ok"\} 3/);
  });

  it("/metrics needs the operator token from anywhere but loopback", async () => {
    const remote = await t.app.inject({ url: "/metrics", remoteAddress: "203.0.113.7" });
    expect(remote.statusCode).toBe(401);
    const withToken = await t.app.inject({ url: "/metrics", remoteAddress: "203.0.113.7", headers: bearer(ADMIN_TOKEN) });
    expect(withToken.statusCode).toBe(200);
  });
});

describe("/metrics behind a trusted proxy on the same host", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { BENTOO_TRUSTED_PROXIES: "127.0.0.1" } });
  });
  afterAll(() => t?.dispose());

  const scrape = (headers: Record<string, string>, remoteAddress = "127.0.0.1") =>
    t.app.inject({ url: "/metrics", remoteAddress, headers: { "x-forwarded-proto": "https", ...headers } });

  it("reads the client's address like every other check: a request forwarded for a remote client needs the token", async () => {
    const forwarded = await scrape({ "x-forwarded-for": "203.0.113.9" });
    expect(forwarded.statusCode).toBe(401);
    expect(forwarded.json().error.code).toBe("invalid_admin_token");
    // A client cannot pass for loopback by sending its own X-Forwarded-For: the proxy appends the real address.
    expect((await scrape({ "x-forwarded-for": "127.0.0.1, 203.0.113.9" })).statusCode).toBe(401);
    expect((await scrape({ "x-forwarded-for": "203.0.113.9", ...bearer(ADMIN_TOKEN) })).statusCode).toBe(200);
  });

  it("stays open to a loopback scraper, straight or through the proxy", async () => {
    const direct = await scrape({});
    expect(direct.statusCode).toBe(200);
    expect(direct.body).toContain("bentoo_http_requests_total");
    expect((await scrape({ "x-forwarded-for": "127.0.0.1" })).statusCode).toBe(200);
  });
});
