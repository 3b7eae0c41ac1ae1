import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deleteRedisKeys, testRedisPrefix, testRedisUrl } from "@bentoo/test-kit";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";

const MAIN = fileURLToPath(new URL("../apps/gateway/dist/main.js", import.meta.url));
const ADMIN = "workers-admin-token-0123456789";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

function run(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, HOST: "127.0.0.1", BENTOO_SEED_DEMO: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

describe("--workers N (node:cluster)", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-workers-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("refuses to start without Redis, saying why", async () => {
    const { child, output } = run(["--workers", "2"], { PORT: "0", BENTOO_DATABASE_URL: `sqlite:${join(directory, "a.db")}`, BENTOO_REDIS_URL: "" });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output()).toContain("--workers needs BENTOO_REDIS_URL");
  });

  it.skipIf(testRedisUrl() === undefined)("serves from several processes that share limits and revocations through Redis", async () => {
    const port = await freePort();
    const prefix = testRedisPrefix();
    onTestFinished(() => deleteRedisKeys(testRedisUrl()!, prefix));
    const base = `http://127.0.0.1:${port}`;
    const { child, output } = run(["--workers", "2"], {
      PORT: String(port),
      BENTOO_DATABASE_URL: `sqlite:${join(directory, "b.db")}`,
      BENTOO_REDIS_URL: testRedisUrl()!,
      BENTOO_REDIS_PREFIX: prefix,
      BENTOO_ADMIN_TOKEN: ADMIN,
    });
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ready = await fetch(`${base}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        if (ready === 200 && output().includes("2 workers")) break;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`workers did not start:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const admin = (method: string, path: string, body?: unknown) =>
        fetch(`${base}${path}`, {
          method,
          headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then((response) => response.json() as Promise<Record<string, unknown>>);
      const account = await admin("POST", "/admin/v1/accounts", { email: "workers@example.com", plan: "pro" });
      await admin("PATCH", `/admin/v1/accounts/${account.id}`, { rpm_limit: 10 });
      const key = await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "w", mode: "test" });
      const chat = () =>
        fetch(`${base}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json", connection: "close" },
          body: JSON.stringify({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }),
        }).then((response) => response.status);
      const statuses = await Promise.all(Array.from({ length: 30 }, chat));
      expect(statuses.filter((status) => status === 200)).toHaveLength(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
      await admin("DELETE", `/admin/v1/keys/${key.id}`);
      const after = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key.key}`, connection: "close" } }).then((response) => response.status),
        ),
      );
      expect(after).toEqual(Array(10).fill(401));
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    expect(child.exitCode).toBe(0);
  });
});
