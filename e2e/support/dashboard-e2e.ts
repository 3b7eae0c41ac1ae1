import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { type BuiltServer, eventually as eventuallyEvery, startBuiltServer, stopBuiltServer } from "./built-server.js";

/** Helpers for the dashboard's browser tests (e2e/dashboard.test.ts). */

export const SCREENSHOTS = fileURLToPath(new URL("../../.artifacts/screenshots/", import.meta.url));
export const CHROMIUM = "/usr/bin/chromium";
/** The flags the machine notes ask for: no background traffic to Google, which this network refuses. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
export const ADMIN_TOKEN = "e2e-dashboard-admin-token-0123456789";

export type Server = BuiltServer;

/** Starts the built server on a temp SQLite file with the admin API on and no demo account. */
export function startServer(databaseFile: string, env: Record<string, string> = {}): Promise<Server> {
  return startBuiltServer({ BENTOO_DATABASE_URL: `sqlite:${databaseFile}`, BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, BENTOO_SEED_DEMO: "false", ...env });
}

export async function stopServer(server: Server | undefined): Promise<void> {
  await stopBuiltServer(server);
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
    body: JSON.stringify({ model: "openai/gpt-6-luna", messages: [{ role: "user", content: "Hello from the dashboard test" }] }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code ?? null };
}

/** Polls `check` (see built-server.ts); a browser page needs longer and slower polling than an API. */
export function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  return eventuallyEvery(what, check, timeoutMs, 300);
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
