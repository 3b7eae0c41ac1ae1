import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashApiKey } from "@bentoo/core";
import { afterAll, describe, expect, it } from "vitest";
import { type BuiltServer, GATEWAY_MAIN, runUntilExit, startBuiltServer, stopBuiltServer } from "./support/built-server.js";

const MAIN = GATEWAY_MAIN;

/** The first-run experience: `npm start`'s server with nothing but a database file set. */
const start = (env: Record<string, string>): Promise<BuiltServer> => startBuiltServer(env);
const stop = (server: BuiltServer): Promise<number | null> => stopBuiltServer(server);

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
      body: JSON.stringify({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "Hello" }] }),
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
    const { code, output } = await runUntilExit({ ...env, PORT: "not-a-port" });
    expect(code).toBe(1);
    expect(output).toContain("PORT");
  });
});
