import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { hashApiKey } from "@bentoo/core";

const MAIN = fileURLToPath(new URL("../apps/gateway/dist/main.js", import.meta.url));

interface Running {
  child: ChildProcess;
  output: () => string;
  baseUrl: string;
}

/** Starts the built server the way `npm start` does and waits for its banner. */
async function start(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!/Bentoo is serving on (http:\/\/\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, output: () => output, baseUrl: /Bentoo is serving on (http:\/\/\S+)/.exec(output)![1]! };
}

async function stop(running: Running): Promise<number | null> {
  running.child.kill("SIGTERM");
  await new Promise((resolve) => running.child.once("exit", resolve));
  return running.child.exitCode;
}

describe("first run of the built server (npm start)", () => {
  it("is built (npm test builds first)", () => {
    expect(existsSync(MAIN), `${MAIN} is missing: run npm run build`).toBe(true);
  });

  const directory = mkdtempSync(join(tmpdir(), "bentoo-first-run-"));
  const env = { BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}` };
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it("creates the demo account, prints its test key once with a curl line, and serves it offline", async () => {
    const first = await start(env);
    const text = first.output();
    const key = /export BENTOO_API_KEY=(btoo_sk_test_[0-9A-Za-z]{32})/.exec(text)?.[1];
    expect(key).toBeDefined();
    expect(text).toContain(`curl ${first.baseUrl}/v1/chat/completions`);
    expect(text).toContain(join(directory, "bentoo.db"));
    expect(text).not.toContain(hashApiKey(key!));

    const models = await fetch(`${first.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
    const chat = await fetch(`${first.baseUrl}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] }),
    });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { object: string }).object).toBe("chat.completion");
    expect(await stop(first)).toBe(0);

    const second = await start(env);
    expect(second.output()).not.toMatch(/btoo_sk_/);
    const again = await fetch(`${second.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(again.status).toBe(200);
    expect(await stop(second)).toBe(0);
  });

  it("refuses to start on a bad configuration, naming the variable", async () => {
    const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env, PORT: "not-a-port" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toContain("PORT");
  });
});
