import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseConfig } from "@bentoo/gateway";
import { createTestCertificates, type TestCertificates } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

const PROXIES = "10.0.0.0/8, 2001:db8:ffff::/48";
const HSTS = "max-age=31536000; includeSubDomains";

const directory = mkdtempSync(join(tmpdir(), "bentoo-transport-"));
let certificates: TestCertificates;
beforeAll(() => {
  certificates = createTestCertificates(directory);
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function configError(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("parseConfig accepted the configuration");
}

describe("transport configuration (start-up checks)", () => {
  it("refuses plain HTTP on a non-loopback HOST, saying why and how to fix it", () => {
    for (const host of ["0.0.0.0", "::", "192.0.2.10", "bentoo.example.com"]) {
      const message = configError({ HOST: host });
      expect(message).toContain(`HOST=${host} is not a loopback address`);
      expect(message).toContain("BENTOO_TLS_CERT and BENTOO_TLS_KEY");
      expect(message).toContain("BENTOO_TRUSTED_PROXIES");
    }
  });

  it("allows loopback hosts, and non-loopback ones with TLS or trusted proxies", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"]) expect(parseConfig({ HOST: host }).host).toBe(host);
    expect(parseConfig({ HOST: "0.0.0.0", BENTOO_TRUSTED_PROXIES: PROXIES }).trustedProxies).toEqual(["10.0.0.0/8", "2001:db8:ffff::/48"]);
    const tls = parseConfig({ HOST: "0.0.0.0", BENTOO_TLS_CERT: certificates.certPath, BENTOO_TLS_KEY: certificates.keyPath }).tls;
    expect(tls?.cert).toContain("BEGIN CERTIFICATE");
  });

  it("names a bad BENTOO_TRUSTED_PROXIES entry", () => {
    const message = configError({ BENTOO_TRUSTED_PROXIES: "10.0.0.0/8, 192.168.0.0/33" });
    expect(message).toContain('BENTOO_TRUSTED_PROXIES entry 2 "192.168.0.0/33" is not an IP address or CIDR block');
  });

  it("names the TLS variable that is missing, unreadable or wrong", () => {
    expect(configError({ BENTOO_TLS_CERT: certificates.certPath })).toContain("BENTOO_TLS_KEY is not set");
    expect(configError({ BENTOO_TLS_KEY: certificates.keyPath })).toContain("BENTOO_TLS_CERT is not set");
    expect(configError({ BENTOO_TLS_CERT: join(directory, "missing.pem"), BENTOO_TLS_KEY: certificates.keyPath })).toMatch(
      /^BENTOO_TLS_CERT: cannot read .*missing\.pem/,
    );
    writeFileSync(join(directory, "garbage.pem"), "not a key");
    expect(configError({ BENTOO_TLS_CERT: certificates.certPath, BENTOO_TLS_KEY: join(directory, "garbage.pem") })).toContain(
      "are not a usable PEM certificate and matching private key",
    );
    expect(configError({ BENTOO_TLS_CERT: certificates.certPath, BENTOO_TLS_KEY: certificates.certPath })).toContain("BENTOO_TLS_KEY");
  });

  it("checks the timeouts", () => {
    expect(configError({ BENTOO_HEADERS_TIMEOUT_MS: "soon" })).toContain("BENTOO_HEADERS_TIMEOUT_MS");
    expect(configError({ BENTOO_HEADERS_TIMEOUT_MS: "5000", BENTOO_REQUEST_TIMEOUT_MS: "1000" })).toContain("must not exceed BENTOO_REQUEST_TIMEOUT_MS");
  });
});

describe("client IP behind trusted proxies (X-Forwarded-For)", () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    // TLS served here, so plain-HTTP refusal does not get in the way of untrusted peers.
    t = await createTestApp({ env: { BENTOO_TRUSTED_PROXIES: PROXIES, BENTOO_TLS_CERT: certificates.certPath, BENTOO_TLS_KEY: certificates.keyPath } });
    const seeded = await t.seedAccount({ plan: "enterprise" });
    key = seeded.key;
    // Nothing below is in this list, so every refusal names the client IP Bentoo derived.
    await t.app.inject({ method: "PATCH", url: `/admin/v1/keys/${seeded.keyId}`, headers: bearer(ADMIN_TOKEN), payload: { ip_allowlist: ["192.0.2.0/24"] } });
  });
  afterAll(() => t?.dispose());

  async function clientIp(remoteAddress: string, forwardedFor?: string): Promise<string> {
    const headers: Record<string, string> = { ...bearer(key) };
    if (forwardedFor !== undefined) headers["x-forwarded-for"] = forwardedFor;
    const response = await t.app.inject({ url: "/v1/models", headers, remoteAddress });
    expect(response.statusCode, response.body).toBe(403);
    return /Requests from (\S+) are not allowed/.exec(response.json().error.message)![1]!;
  }

  it.each([
    ["an untrusted peer, no header", "203.0.113.5", undefined, "203.0.113.5"],
    ["an untrusted peer's spoofed header is ignored", "203.0.113.5", "198.51.100.1", "203.0.113.5"],
    ["an untrusted loopback peer's header is ignored too", "127.0.0.1", "198.51.100.1", "127.0.0.1"],
    ["a trusted peer: the client it reports", "10.0.0.2", "198.51.100.1", "198.51.100.1"],
    ["a trusted peer without the header: the peer itself", "10.0.0.2", undefined, "10.0.0.2"],
    ["several trusted hops are skipped", "10.0.0.2", "198.51.100.1, 10.0.0.3, 10.9.9.9", "198.51.100.1"],
    ["the right-most untrusted hop wins over what the client prepended", "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"],
    ["an untrusted hop stops the walk even with trusted ones left of it", "10.0.0.2", "10.1.1.1, 203.0.113.7", "203.0.113.7"],
    ["all hops trusted: the left-most", "10.0.0.2", "10.0.0.9, 10.0.0.8", "10.0.0.9"],
    ["IPv6 trusted peer, IPv6 client", "2001:db8:ffff::10", "2001:db8:1::5", "2001:db8:1::5"],
    ["IPv6 trusted peer, IPv4 client", "2001:db8:ffff::10", "198.51.100.1", "198.51.100.1"],
    ["IPv6 untrusted peer, spoof ignored", "2001:db8:1::5", "198.51.100.1", "2001:db8:1::5"],
    ["IPv4-mapped trusted peer (dual-stack socket)", "::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"],
    ["mixed families along the chain", "10.0.0.2", "2001:db8:1::5, 2001:db8:ffff::1", "2001:db8:1::5"],
  ])("%s", async (_label, peer, forwardedFor, expected) => {
    expect(await clientIp(peer, forwardedFor)).toBe(expected);
  });

  it("the allowlist sees the client, not the proxy; a spoofed header from outside does not get in", async () => {
    const via = (remoteAddress: string, forwardedFor: string) =>
      t.app.inject({ url: "/v1/models", headers: { ...bearer(key), "x-forwarded-for": forwardedFor }, remoteAddress });
    expect((await via("10.0.0.2", "192.0.2.44")).statusCode).toBe(200);
    expect((await via("203.0.113.5", "192.0.2.44")).statusCode).toBe(403);
  });

  it("honours X-Forwarded-Proto only from a trusted peer: HSTS and Secure cookies", async () => {
    const signUp = (remoteAddress: string, email: string) =>
      t.app.inject({
        method: "POST",
        url: "/api/auth/signup",
        headers: { host: "bentoo.test", "x-forwarded-proto": "https" },
        payload: { email, password: "a long enough password" },
        remoteAddress,
      });
    const trusted = await signUp("10.0.0.2", "proxied@example.com");
    expect(trusted.statusCode).toBe(201);
    expect(trusted.headers["strict-transport-security"]).toBe(HSTS);
    expect(String(trusted.headers["set-cookie"])).toMatch(/;\s*Secure/i);
    const spoofed = await signUp("203.0.113.5", "direct@example.com");
    expect(spoofed.statusCode).toBe(201);
    expect(spoofed.headers["strict-transport-security"]).toBeUndefined();
    expect(String(spoofed.headers["set-cookie"])).not.toMatch(/;\s*Secure/i);
  });
});

describe("plain HTTP behind trusted proxies", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp({ env: { BENTOO_TRUSTED_PROXIES: PROXIES } });
    ({ key } = await t.seedAccount());
  });
  afterAll(() => t?.dispose());

  const get = (url: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, remoteAddress, headers: { host: "api.example.com", ...bearer(key), ...headers } });

  it("a trusted X-Forwarded-Proto: http gets 400 https_required with the https URL to use", async () => {
    const response = await get("/v1/models?x=1", "10.0.0.2", { "x-forwarded-proto": "http" });
    expect(response.statusCode).toBe(400);
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    expect(response.json().error).toMatchObject({ code: "https_required", type: "invalid_request_error" });
    expect(response.json().error.message).toBe("Bentoo only serves HTTPS; use https://api.example.com/v1/models (this request arrived over plain HTTP).");
    expect(
      (await get("/v1/models", "10.0.0.2", { "x-forwarded-proto": "http", "x-forwarded-host": "public.example.com:8080" })).json().error.message,
    ).toContain("https://public.example.com/v1/models");
  });

  it("a trusted X-Forwarded-Proto: https is served, with HSTS", async () => {
    const response = await get("/v1/models", "10.0.0.2", { "x-forwarded-proto": "https" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["strict-transport-security"]).toBe(HSTS);
    expect((await get("/v1/models", "2001:db8:ffff::1", { "x-forwarded-proto": "http, https" })).statusCode).toBe(200);
  });

  it("a non-loopback client that bypasses the proxy is refused; loopback is served; health probes always answer", async () => {
    expect((await get("/v1/models", "203.0.113.5")).json().error.code).toBe("https_required");
    expect((await get("/v1/models", "203.0.113.5", { "x-forwarded-proto": "https" })).json().error.code).toBe("https_required");
    expect((await get("/v1/models", "127.0.0.1")).statusCode).toBe(200);
    expect((await get("/v1/models", "::1")).statusCode).toBe(200);
    expect((await get("/v1/models", "10.0.0.2")).statusCode).toBe(200); // a trusted proxy that sends no X-Forwarded-Proto
    for (const path of ["/healthz", "/readyz"]) {
      expect((await get(path, "10.0.0.2", { "x-forwarded-proto": "http" })).statusCode).toBe(200);
      expect((await get(path, "203.0.113.5")).statusCode).toBe(200);
    }
  });
});
