import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

/** Helpers for the dashboard's browser tests (e2e/dashboard.test.ts). */

const MAIN = fileURLToPath(new URL("../../apps/gateway/dist/main.js", import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL("../../.artifacts/screenshots/", import.meta.url));
export const CHROMIUM = "/usr/bin/chromium";
/** The flags the machine notes ask for: no background traffic to Google, which this network refuses. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
export const ADMIN_TOKEN = "e2e-dashboard-admin-token-0123456789";

export interface Server {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
}

/** Starts the built server as `npm start` does (a temp SQLite file, the admin API on) and waits for its banner. */
export async function startServer(databaseFile: string): Promise<Server> {
  const env = { ...process.env, HOST: "127.0.0.1", PORT: "0", BENTOO_DATABASE_URL: `sqlite:${databaseFile}`, BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, BENTOO_SEED_DEMO: "false" };
  const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const banner = /Bentoo is serving on (http:\/\/\S+)/;
  const deadline = Date.now() + 30_000;
  while (!banner.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, baseUrl: banner.exec(output)![1]!, output: () => output };
}

export async function stopServer(server: Server | undefined): Promise<void> {
  if (server === undefined || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function admin(server: Server, method: string, path: string, body?: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** One sandbox chat completion with an API key; returns the status and the error code, if any. */
export async function chat(server: Server, key: string): Promise<{ status: number; code: string | null }> {
  const response = await fetch(`${server.baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "user-agent": "bentoo-e2e/1.0" },
    body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "Hello from the dashboard test" }] }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code ?? null };
}

/** Polls `check` until it returns a value other than undefined/false, or fails with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError === null ? "" : `: ${String(lastError)}`}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Pages are captured whole; a page under an open dialog only as far as the window shows. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF) → rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[index + 1] === "\n") index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}
