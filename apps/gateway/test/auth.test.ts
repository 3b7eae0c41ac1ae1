import type { AddressInfo, Socket } from "node:net";
import { generateApiKey } from "@bentoo/core";
import { storageTargets } from "@bentoo/test-kit";
import { Client } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

describe.each(storageTargets())("authentication on $name", (target) => {
  let t: TestApp;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    t = await createTestApp({ target });
    ({ key, keyId } = await t.seedAccount());
  });
  afterAll(() => t?.dispose());

  const models = (headers: Record<string, string>) => t.app.inject({ method: "GET", url: "/v1/models", headers });

  it.each([
    ["no header", {}, "missing_api_key"],
    ["an empty header", { authorization: "" }, "missing_api_key"],
    ["Bearer and nothing", { authorization: "Bearer " }, "missing_api_key"],
    ["the Basic scheme", { authorization: "Basic dXNlcjpwYXNz" }, "invalid_auth_scheme"],
    ["a bare key without scheme", { authorization: "btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, "invalid_auth_scheme"],
    ["an OpenAI key", { authorization: "Bearer sk-proj-0123456789abcdef" }, "malformed_api_key"],
    ["a bad checksum", { authorization: "Bearer btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, "malformed_api_key"],
    ["a truncated key", { authorization: "Bearer btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, "malformed_api_key"],
  ])("%s → 401 %s in OpenAI's envelope", async (_label, headers, code) => {
    const response = await models(headers);
    expect(response.statusCode).toBe(401);
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    const body = response.json();
    expect(body).toEqual({ error: { message: expect.any(String), type: "authentication_error", param: null, code } });
    expect(body.error.message.length).toBeGreaterThan(20);
  });

  it("an unknown but well-formed key → 401 invalid_api_key naming only its last 4", async () => {
    const unknown = generateApiKey("live").key;
    const response = await models(bearer(unknown));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe("invalid_api_key");
    expect(response.body).toContain(unknown.slice(-4));
    expect(response.body).not.toContain(unknown.slice(13, 39));
  });

  it("a valid key passes; a revoked key gets 401 revoked_api_key on the very next request", async () => {
    expect((await models(bearer(key))).statusCode).toBe(200);
    expect((await models(bearer(key))).statusCode).toBe(200); // cached now
    const revoke = await t.app.inject({ method: "DELETE", url: `/admin/v1/keys/${keyId}`, headers: bearer(ADMIN_TOKEN) });
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json()).toMatchObject({ id: keyId, status: "revoked" });
    const next = await models(bearer(key));
    expect(next.statusCode).toBe(401);
    expect(next.json().error.code).toBe("revoked_api_key");
  });

  it("on one keep-alive connection: a revoked key gets 401 on its next request, and another key is read afresh", async () => {
    const first = await t.seedAccount();
    const second = await t.seedAccount();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const client = new Client(`http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`, { pipelining: 1 });
    const sockets = new Set<string>();
    const get = async (secret: string) => {
      const response = await client.request({ method: "GET", path: "/v1/models", headers: bearer(secret) });
      const body = (await response.body.json()) as { error?: { code: string } };
      return { status: response.statusCode, code: body.error?.code ?? null };
    };
    t.app.server.on("connection", (socket: Socket) => sockets.add(`${socket.remotePort}`));
    try {
      expect(await get(first.key)).toEqual({ status: 200, code: null });
      expect(await get(first.key)).toEqual({ status: 200, code: null });
      await t.services.keys.revoke(first.keyId);
      expect(await get(first.key)).toEqual({ status: 401, code: "revoked_api_key" });
      expect(await get(second.key)).toEqual({ status: 200, code: null });
      expect(await get(first.key)).toEqual({ status: 401, code: "revoked_api_key" });
      expect(sockets.size).toBe(1);
    } finally {
      await client.close();
    }
  });

  it("a key is served until its expiry and gets 401 expired_api_key from that instant on, cached or not", async () => {
    const { account } = await t.seedAccount();
    const expiresAt = t.clock.now() + 300_000;
    const created = await t.app.inject({
      method: "POST",
      url: `/admin/v1/accounts/${account.id}/keys`,
      headers: bearer(ADMIN_TOKEN),
      payload: { name: "short-lived", mode: "test", expires_at: new Date(expiresAt).toISOString() },
    });
    expect(created.statusCode).toBe(201);
    const secret = created.json().key as string;
    expect((await models(bearer(secret))).statusCode).toBe(200);
    t.clock.set(expiresAt - 1);
    expect((await models(bearer(secret))).statusCode).toBe(200);
    t.clock.set(expiresAt);
    const response = await models(bearer(secret));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe("expired_api_key");
  });

  it("a change made in the database behind the gateway's back reaches a cached key once the cache entry's minute is over", async () => {
    const { key: cached, keyId } = await t.seedAccount();
    expect((await models(bearer(cached))).statusCode).toBe(200);
    // Straight into storage, as another tool would: no invalidation reaches the key cache.
    await t.services.storage.keys.revoke(keyId, t.clock.now(), []);
    t.clock.advance(60_000);
    const response = await models(bearer(cached));
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe("revoked_api_key");
  });

  it("never writes key material to the logs", async () => {
    expect(t.logs.text()).not.toMatch(/btoo_sk_(live|test)_[0-9A-Za-z]{10,}/);
  });
});
