import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestCertificates, type TestCertificates } from "@bentoo/test-kit";
import OpenAI from "openai";
import { Agent, fetch as undiciFetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltServer, runUntilExit, startBuiltServer, stopBuiltServer } from "./support/built-server.js";

const ADMIN_TOKEN = "e2e-https-admin-token-0123456789";
const HSTS = "max-age=31536000; includeSubDomains";

/**
 * HTTPS end to end: the built server with a certificate from a throwaway CA, and
 * the official `openai` SDK trusting only that CA; plain HTTP refused where the
 * contract says so (PRODUCT.md §4).
 */
describe("HTTPS with the built server", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-https-"));
  let certificates: TestCertificates;
  let server: BuiltServer;
  let trusting: Agent;

  beforeAll(async () => {
    certificates = createTestCertificates(directory);
    trusting = new Agent({ connect: { ca: certificates.ca } });
    server = await startBuiltServer({
      BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}`,
      BENTOO_TLS_CERT: certificates.certPath,
      BENTOO_TLS_KEY: certificates.keyPath,
      BENTOO_ADMIN_TOKEN: ADMIN_TOKEN,
    });
  }, 60_000);
  afterAll(async () => {
    await stopBuiltServer(server);
    await trusting?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const secureFetch = (path: string, init: Parameters<typeof undiciFetch>[1] = {}) =>
    undiciFetch(`${server.baseUrl}${path}`, { ...init, dispatcher: trusting });

  it("announces an https:// base URL", () => {
    expect(server.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.demoKey).not.toBeNull();
  });

  it("serves the openai SDK over TLS: models.list, a chat completion and a stream", async () => {
    const client = new OpenAI({
      apiKey: server.demoKey!,
      baseURL: `${server.baseUrl}/v1`,
      fetch: undiciFetch as unknown as typeof fetch,
      fetchOptions: { dispatcher: trusting } as Record<string, unknown>,
      maxRetries: 0,
    });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("openai/gpt-6-luna");
    const { data, response } = await client.chat.completions
      .create({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "Hello over TLS" }] })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(response.headers.get("strict-transport-security")).toBe(HSTS);
    let streamed = "";
    for await (const chunk of await client.chat.completions.create({
      model: "openai/gpt-6-luna",
      messages: [{ role: "user", content: "Stream over TLS" }],
      stream: true,
    })) {
      streamed += chunk.choices[0]?.delta.content ?? "";
    }
    expect(streamed.length).toBeGreaterThan(0);
  });

  it("sends HSTS on every response, errors and health checks included", async () => {
    for (const path of ["/healthz", "/v1/models", "/no-such-endpoint"]) {
      const response = await secureFetch(path);
      expect(response.headers.get("strict-transport-security"), path).toBe(HSTS);
      await response.arrayBuffer();
    }
  });

  it("marks the session cookie Secure", async () => {
    const response = await secureFetch("/api/auth/signup", {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.baseUrl },
      body: JSON.stringify({ email: "tls@example.com", password: "a long enough password" }),
    });
    expect(response.status).toBe(201);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
  });

  it("is real TLS: a client that does not trust the CA is refused, and so is plain HTTP on the TLS port", async () => {
    const untrusting = new Agent();
    await expect(undiciFetch(`${server.baseUrl}/healthz`, { dispatcher: untrusting })).rejects.toThrow();
    await untrusting.close();
    await expect(fetch(`${server.baseUrl.replace("https://", "http://")}/healthz`)).rejects.toThrow();
    expect(server.child.exitCode).toBeNull();
  });
});

describe("npm run dev-cert", () => {
  it("makes a certificate the built server serves and a client can trust for localhost", async () => {
    const directory = mkdtempSync(join(tmpdir(), "bentoo-dev-cert-"));
    try {
      const script = fileURLToPath(new URL("../scripts/dev-cert.mjs", import.meta.url));
      const printed = execFileSync(process.execPath, [script, "--out", directory], { encoding: "utf8" });
      expect(printed).toContain("BENTOO_TLS_CERT=");
      const certPath = join(directory, "dev-cert.pem");
      const server = await startBuiltServer({
        BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}`,
        BENTOO_TLS_CERT: certPath,
        BENTOO_TLS_KEY: join(directory, "dev-key.pem"),
      });
      // Verified as "localhost" (its DNS name) while connecting to 127.0.0.1, whatever localhost resolves to here.
      const agent = new Agent({ connect: { ca: readFileSync(certPath, "utf8"), servername: "localhost" } });
      try {
        const response = await undiciFetch(`${server.baseUrl}/healthz`, { dispatcher: agent });
        expect(response.status).toBe(200);
        expect(response.headers.get("strict-transport-security")).toBe(HSTS);
      } finally {
        await agent.close();
        await stopBuiltServer(server);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("plain HTTP where it is refused", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-plain-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const database = () => ({ BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}` });

  it("HOST=0.0.0.0 without TLS or trusted proxies: exits 1 saying why and how to fix it", async () => {
    const { code, output } = await runUntilExit({ ...database(), HOST: "0.0.0.0" });
    expect(code).toBe(1);
    expect(output).toContain("Configuration error: HOST=0.0.0.0 is not a loopback address");
    expect(output).toContain("BENTOO_TLS_CERT and BENTOO_TLS_KEY");
    expect(output).toContain("BENTOO_TRUSTED_PROXIES");
    expect(output).not.toContain("Bentoo is serving");
  });

  it("behind a trusted proxy, X-Forwarded-Proto: http gets 400 https_required; https is served with HSTS", async () => {
    // The "proxy" is this test process on loopback, declared as trusted.
    const server = await startBuiltServer({ ...database(), BENTOO_TRUSTED_PROXIES: "127.0.0.1, ::1" });
    try {
      const key = server.demoKey!;
      const plain = await fetch(`${server.baseUrl}/v1/models`, {
        headers: { authorization: `Bearer ${key}`, "x-forwarded-proto": "http", "x-forwarded-for": "203.0.113.9" },
      });
      expect(plain.status).toBe(400);
      const body = (await plain.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("https_required");
      expect(body.error.message).toMatch(/^Bentoo only serves HTTPS; use https:\/\/127\.0\.0\.1\/v1\/models/);
      const secure = await fetch(`${server.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}`, "x-forwarded-proto": "https" } });
      expect(secure.status).toBe(200);
      expect(secure.headers.get("strict-transport-security")).toBe(HSTS);
      expect((await fetch(`${server.baseUrl}/healthz`, { headers: { "x-forwarded-proto": "http" } })).status).toBe(200);
    } finally {
      expect(await stopBuiltServer(server)).toBe(0);
    }
  });
});
