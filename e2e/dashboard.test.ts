import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, navLink, openBrowserSession, PASSWORD, shouldRunBrowserTests } from "./support/browser-session.js";
import { chat, eventually, parseCsv, type Server, screenshot } from "./support/dashboard-e2e.js";

/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core)
 * against the real built server: the path a user follows from the product page,
 * "Sign in to the Bentoo AI dashboard, navigate to Settings → API Keys, and click
 * Create key", and on to using, rolling and revoking that key.
 * (Plan limits and allowlists: dashboard-plans.test.ts.)
 */
const KEY_PATTERN = /^btoo_sk_test_[A-Za-z0-9]{32}$/;

describe.skipIf(!shouldRunBrowserTests())("dashboard in Chromium against the built server", { timeout: 120_000 }, () => {
  let session: BrowserSession;
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const email = `owner-${Date.now()}@example.com`;
  let oldKey = "";
  let newKey = "";

  const keyRow = (last4: string) => page.locator(`tr[data-testid="key-row"][data-key-id="${last4}"]`);
  const nav = (name: string) => navLink(page, name);

  beforeAll(async () => {
    session = await openBrowserSession();
    ({ server, base } = session);
    context = await session.newContext();
    page = await session.newPage(context);
  }, 90_000);

  afterAll(async () => {
    await session?.close();
  });

  it("serves the dashboard with its security headers; unknown API paths stay JSON 404s", async () => {
    for (const path of ["/", "/settings/api-keys", "/logs"]) {
      const response = await fetch(`${base}${path}`, { headers: { accept: "text/html" } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-security-policy")).toContain("script-src 'self';");
      expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    const missing = await fetch(`${base}/api/no-such-endpoint`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("signs up and lands on the overview", async () => {
    await page.goto(`${base}/signup`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await screenshot(page, "signup");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${base}/`);
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(await page.getByTestId("stat-plan").textContent()).toContain("Free");
  });

  it("Settings → API Keys → Create key: the full key is shown once, copyable, with snippets", async () => {
    await nav("API Keys").click();
    await page.waitForURL(`${base}/settings/api-keys`);
    await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();
    expect(await page.getByTestId("key-cap").textContent()).toContain("0 of 50");
    await page.getByRole("button", { name: "Create key", exact: true }).click();
    const dialog = page.getByTestId("create-key-dialog");
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("key-name");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Create key");
    await page.keyboard.press("Enter");
    await dialog.getByLabel("Name").fill("production-webapp");
    await dialog.getByRole("radio", { name: /^Test/ }).check();
    await dialog.getByRole("button", { name: "Create key" }).click();

    const secret = page.getByTestId("new-key-secret");
    await secret.waitFor();
    oldKey = await secret.inputValue();
    expect(oldKey).toMatch(KEY_PATTERN);
    const revealed = page.getByTestId("key-created-dialog");
    expect(await revealed.textContent()).toContain("you won't see it again");
    await revealed.getByRole("button", { name: "Copy key" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(oldKey);
    expect(await revealed.getByRole("tabpanel").textContent()).toContain(`Authorization: Bearer ${oldKey}`);
    await screenshot(page, "create-key", { fullPage: false });
    for (const [tab, expected] of [
      ["JavaScript", `new Bentoo({`],
      ["Python", `Bentoo(`],
      ["Environment", `BENTOO_API_KEY=${oldKey}`],
    ] as const) {
      await revealed.getByRole("tab", { name: tab }).click();
      const panel = revealed.getByRole("tabpanel");
      expect(await panel.textContent(), tab).toContain(expected);
      expect(await panel.textContent(), tab).toContain(oldKey);
    }
    await revealed.getByRole("button", { name: "I've saved my key" }).click();
    await revealed.waitFor({ state: "detached" });

    const row = keyRow(oldKey.slice(-4));
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain("production-webapp");
    expect(text).toContain(`••••${oldKey.slice(-4)}`);
    expect(await row.getByTestId("key-last-used").textContent()).toBe("Never");
    expect(await page.content()).not.toContain(oldKey);
  });

  it("a request with the key shows in the key's last used and in Logs, with a detail view", async () => {
    expect(await chat(server, oldKey)).toEqual({ status: 200, code: null });
    await eventually("the key's last used to change from Never", async () => {
      await page.reload();
      const lastUsed = await keyRow(oldKey.slice(-4)).getByTestId("key-last-used").textContent();
      return lastUsed !== null && lastUsed !== "Never";
    });
    await nav("Logs").click();
    await page.waitForURL(/\/logs$/);
    const requestRow = page.locator(`tr[data-testid="log-row"][data-key-id="${oldKey.slice(-4)}"][data-event="api.request"]`);
    await eventually("the request in the audit log table", async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(300);
      return (await requestRow.count()) > 0;
    });
    expect(await requestRow.first().textContent()).toContain("/v1/chat/completions");
    await screenshot(page, "logs");
    await requestRow
      .first()
      .getByRole("button", { name: /^Details/ })
      .click();
    const detail = page.getByTestId("log-detail-dialog");
    const detailText = (await detail.textContent()) ?? "";
    expect(detailText).toContain("openai/gpt-6-luna");
    expect(detailText).toContain("200");
    expect(detailText).toContain(`••••${oldKey.slice(-4)}`);
    expect(detailText).not.toContain(oldKey);
    await screenshot(page, "log-detail", { fullPage: false });
    await page.keyboard.press("Escape");
    await detail.waitFor({ state: "detached" });
  });

  it("rolls with a grace period (old row shows its traffic), then revokes the old key, which gets 401", async () => {
    await page.goto(`${base}/settings/api-keys`);
    const oldRow = keyRow(oldKey.slice(-4));
    await oldRow.getByRole("button", { name: /^Roll / }).click();
    const dialog = page.getByTestId("roll-key-dialog");
    await dialog.getByRole("radio", { name: "1 hour" }).check();
    await screenshot(page, "roll-key", { fullPage: false });
    await dialog.getByRole("button", { name: "Roll key" }).click();
    const secret = page.getByTestId("new-key-secret");
    await secret.waitFor();
    newKey = await secret.inputValue();
    expect(newKey).toMatch(KEY_PATTERN);
    expect(newKey).not.toBe(oldKey);
    expect(await page.getByTestId("key-created-dialog").textContent()).toContain(`••••${oldKey.slice(-4)} keeps working until`);
    await page.getByRole("button", { name: "I've saved my key" }).click();

    expect(await chat(server, oldKey)).toEqual({ status: 200, code: null });
    expect(await chat(server, newKey)).toEqual({ status: 200, code: null });
    await eventually("the old key's two requests in its row", async () => {
      await page.reload();
      return ((await oldRow.getByTestId("key-requests").textContent()) ?? "").startsWith("2");
    });
    expect(await oldRow.textContent()).toContain(`Rolling: replaced by ••••${newKey.slice(-4)}`);
    expect(await keyRow(newKey.slice(-4)).getAttribute("data-status")).toBe("active");
    await screenshot(page, "api-keys");

    await oldRow.getByRole("button", { name: /^Revoke now/ }).click();
    const confirm = page.getByTestId("revoke-key-dialog");
    expect(await confirm.textContent()).toContain("immediately return 401");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await eventually("the old row to show revoked", async () => (await oldRow.getAttribute("data-status")) === "revoked");
    expect(await chat(server, oldKey)).toEqual({ status: 401, code: "revoked_api_key" });
    expect(await chat(server, newKey)).toEqual({ status: 200, code: null });
  });

  it("filters the log by endpoint", async () => {
    await page.goto(`${base}/logs?range=24h`);
    const requestRows = page.locator('tr[data-testid="log-row"][data-event="api.request"]');
    await eventually("the request rows of the unfiltered log", async () => (await requestRows.count()) > 0);
    const applyEndpoint = async (endpoint: string) => {
      await page.getByLabel("Endpoint").fill(endpoint);
      const [response] = await Promise.all([
        page.waitForResponse(
          (candidate) => candidate.url().includes("/api/audit/logs?") && candidate.url().includes(`endpoint=${encodeURIComponent(endpoint)}`),
        ),
        page.getByRole("button", { name: "Apply filters" }).click(),
      ]);
      expect(response.status()).toBe(200);
      await page.waitForTimeout(300);
    };
    await applyEndpoint("/v1/models");
    expect(await requestRows.count()).toBe(0);
    await applyEndpoint("/v1/chat/completions");
    await eventually("the chat requests under the /v1/chat/completions filter", async () => (await requestRows.count()) > 0);
    expect(page.url()).toContain("endpoint=%2Fv1%2Fchat%2Fcompletions");
  });

  it("exports the filtered range as CSV and JSONL whose rows match the table", async () => {
    await page.goto(`${base}/logs`);
    await page.getByLabel("Key", { exact: true }).selectOption({ label: `production-webapp ••••${newKey.slice(-4)}` });
    await page.getByLabel("Time range").selectOption("24h");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/key_id=key_/);
    const rows = page.locator('tr[data-testid="log-row"]');
    const tableIds = await eventually("the new key's two requests in the filtered table", async () => {
      await page.waitForTimeout(500);
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(300);
      const ids = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-record-id") ?? ""));
      const requests = await page.locator('tr[data-testid="log-row"][data-event="api.request"]').count();
      return requests >= 2 ? ids : undefined;
    });
    expect(new Set(await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-key-id"))))).toEqual(new Set([newKey.slice(-4)]));
    await screenshot(page, "logs-filtered");

    const download = async (name: string) => {
      const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
      return { name: file.suggestedFilename(), text: readFileSync(await file.path(), "utf8") };
    };
    const csv = await download("Export CSV");
    expect(csv.name).toMatch(/\.csv$/);
    const [header, ...records] = parseCsv(csv.text).filter((row) => row.some((field) => field !== ""));
    expect(header![0]).toBe("id");
    expect(records.map((row) => row[0]).sort()).toEqual([...tableIds].sort());
    expect(new Set(records.map((row) => row[header!.indexOf("key_id")]))).toEqual(new Set([newKey.slice(-4)]));

    const jsonl = await download("Export JSONL");
    expect(jsonl.name).toMatch(/\.jsonl?$/);
    const lines = jsonl.text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { id: string; key_id: string });
    expect(lines.map((line) => line.id).sort()).toEqual([...tableIds].sort());
    for (const text of [csv.text, jsonl.text]) {
      expect(text).not.toContain(newKey);
      expect(text).not.toContain(oldKey);
    }
  });

  it("shows the model catalog with prices, and on free explains that allowlists need Enterprise", async () => {
    await page.goto(`${base}/`);
    await nav("Models").click();
    const model = page.locator('tr[data-model-id="openai/gpt-6-luna"]');
    await model.waitFor();
    expect(await model.textContent()).toMatch(/\$\d/);
    expect(await model.textContent()).toMatch(/tokens/);
    await screenshot(page, "models");
    await nav("Security").click();
    await page.waitForURL(`${base}/settings/security`);
    expect(await page.getByTestId("allowlist-upsell").textContent()).toContain("Enterprise");
    await screenshot(page, "security-free");
    await nav("Overview").click();
    await page.getByTestId("usage-hour").or(page.getByRole("alert")).first().waitFor();
    await screenshot(page, "overview");
  });

  it("an ended session sends to sign-in and back; sign out; a deep link signs in and returns to it", async () => {
    await context.clearCookies();
    await nav("API Keys").click();
    await page.waitForURL(`${base}/signin?next=%2Fsettings%2Fapi-keys`);
    expect(await page.getByRole("main").textContent()).toContain("Your session has ended");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/settings/api-keys`);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/signin`);
    await page.goto(`${base}/logs?range=7d`);
    await page.waitForURL(`${base}/signin?next=%2Flogs%3Frange%3D7d`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the right password");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByTestId("auth-error").textContent()).toContain("not right");
    await screenshot(page, "signin");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/logs?range=7d`);
    expect(await page.getByLabel("Time range").inputValue()).toBe("7d");
  });

  it("loaded nothing from another origin, threw no error and broke no CSP rule", () => {
    expect(session.foreignRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.cspViolations).toEqual([]);
  });
});
