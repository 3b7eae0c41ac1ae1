import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, type Server, startServer, stopServer } from "./dashboard-e2e.js";

/**
 * One built server with its own SQLite file and one headless Chromium, for a
 * browser test file. Every page opened through it is watched for requests to
 * other origins, uncaught errors and CSP violations.
 */
export interface BrowserSession {
  server: Server;
  base: string;
  browser: Browser;
  newContext(): Promise<BrowserContext>;
  newPage(context: BrowserContext): Promise<Page>;
  foreignRequests: string[];
  pageErrors: string[];
  cspViolations: string[];
  close(): Promise<void>;
}

export const PASSWORD = "correct horse battery staple";

/** Whether to run: always in CI (a missing browser then fails loudly), else only when Chromium is installed. */
export function shouldRunBrowserTests(): boolean {
  const inCi = (process.env.CI ?? "") !== "" && process.env.CI !== "false";
  if (existsSync(CHROMIUM) || inCi) return true;
  console.warn(
    `\n${"!".repeat(78)}\n!! SKIPPING the dashboard browser tests: ${CHROMIUM} is missing.\n!! Install it with: apt-get update && apt-get install -y chromium\n!! (In CI these tests always run.)\n${"!".repeat(78)}\n`,
  );
  return false;
}

/** `env`: more settings for the server (e.g. BENTOO_WEBHOOKS_ALLOW_PRIVATE). */
export async function openBrowserSession(env: Record<string, string> = {}): Promise<BrowserSession> {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-dashboard-e2e-"));
  const server = await startServer(join(directory, "bentoo.db"), env);
  const base = server.baseUrl;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    await stopServer(server);
    rmSync(directory, { recursive: true, force: true });
    throw new Error(`Chromium did not start from ${CHROMIUM} (install it: apt-get install -y chromium): ${String(error)}`);
  }
  const session: BrowserSession = {
    server,
    base,
    browser,
    foreignRequests: [],
    pageErrors: [],
    cspViolations: [],
    async newContext() {
      const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 }, colorScheme: "light" });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
      return context;
    },
    async newPage(context) {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on("request", (request) => {
        const url = request.url();
        if (!url.startsWith(`${base}/`) && !url.startsWith("data:") && !url.startsWith("blob:")) session.foreignRequests.push(url);
      });
      page.on("pageerror", (error) => session.pageErrors.push(String(error)));
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to (load|execute|apply)/.test(message.text())) session.cspViolations.push(message.text());
      });
      return page;
    },
    async close() {
      await browser.close();
      await stopServer(server);
      rmSync(directory, { recursive: true, force: true });
    },
  };
  return session;
}

export async function signUp(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/signup`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${base}/`);
}

/** The main navigation's link to a page. */
export function navLink(page: Page, name: string) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
}
