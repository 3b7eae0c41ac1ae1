import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestCertificates } from "@bentoo/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { type RedisProcess, startRedisProcess } from "../apps/gateway/test/redis-process.js";
import { type BuiltServer, startBuiltServer, stopBuiltServer } from "./support/built-server.js";

/** The compiled health check, as the image's HEALTHCHECK runs it. */
const HEALTHCHECK = fileURLToPath(new URL("../apps/gateway/dist/healthcheck.js", import.meta.url));

function runHealthcheck(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== "HOST" && name !== "PORT" && !name.startsWith("BENTOO_")));
  const child = spawn(process.execPath, [HEALTHCHECK], { env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

const portOf = (server: BuiltServer) => new URL(server.baseUrl).port;

/**
 * The container health check (apps/gateway/dist/healthcheck.js) against the built server:
 * it passes exactly when `/readyz` answers 200, over HTTP or Bentoo's own HTTPS, and its
 * failures say why in the container's health log.
 */
describe("the container health check", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-healthcheck-"));
  const servers: BuiltServer[] = [];
  let redis: RedisProcess | undefined;
  afterAll(async () => {
    for (const server of servers) await stopBuiltServer(server);
    await redis?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("passes on a ready server, and fails once it has stopped", async () => {
    const server = await startBuiltServer({ BENTOO_DATABASE_URL: `sqlite:${join(directory, "plain.db")}` });
    servers.push(server);
    const env = { HOST: "127.0.0.1", PORT: portOf(server) };
    expect(await runHealthcheck(env)).toEqual({ code: 0, output: "" });
    await stopBuiltServer(server);
    const stopped = await runHealthcheck(env);
    expect(stopped.code).toBe(1);
    expect(stopped.output).toMatch(/^not ready: http:\/\/127\.0\.0\.1:\d+\/readyz: .*ECONNREFUSED/);
  }, 60_000);

  it("fails while the server is up but not ready (its Redis stalled), with /readyz's answer", async () => {
    redis = await startRedisProcess();
    const server = await startBuiltServer({ BENTOO_DATABASE_URL: `sqlite:${join(directory, "redis.db")}`, BENTOO_REDIS_URL: redis.url });
    servers.push(server);
    const env = { HOST: "127.0.0.1", PORT: portOf(server) };
    expect((await runHealthcheck(env)).code).toBe(0);
    redis.freeze();
    const result = await runHealthcheck(env);
    redis.thaw();
    expect(result.code).toBe(1);
    expect(result.output).toContain('answered 503: {"status":"not_ready","storage":"ok","redis":"unreachable"}');
  }, 60_000);

  it("asks over HTTPS when Bentoo serves TLS itself", async () => {
    const certificates = createTestCertificates(directory);
    const tls = { BENTOO_TLS_CERT: certificates.certPath, BENTOO_TLS_KEY: certificates.keyPath };
    const server = await startBuiltServer({ BENTOO_DATABASE_URL: `sqlite:${join(directory, "tls.db")}`, ...tls });
    servers.push(server);
    expect(await runHealthcheck({ HOST: "127.0.0.1", PORT: portOf(server), ...tls })).toEqual({ code: 0, output: "" });
    // Without the certificate variable it would speak plain HTTP to a TLS port: not ready.
    expect((await runHealthcheck({ HOST: "127.0.0.1", PORT: portOf(server) })).code).toBe(1);
  }, 60_000);
});
