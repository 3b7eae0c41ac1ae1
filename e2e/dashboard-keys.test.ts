import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowserSession, shouldRunBrowserTests, signUp } from "./support/browser-session.js";
import { admin, eventually, type Server, screenshot } from "./support/dashboard-e2e.js";

/**
 * Keys you can hand out, in Chromium against the built server: a restricted key
 * created in the dialog (one permission, a daily budget, a model pattern)
 * spends live credits through a fake upstream until the table shows its budget
 * reached and the API answers 402; an account without credits is steered to a
 * test key; the keys table fits a 1280-px window; Logs lists newest first.
 */
describe.skipIf(!shouldRunBrowserTests())("restricted keys in the dashboard, in Chromium against the built server", { timeout: 120_000 }, () => {
  let upstream: FakeUpstream;
  let directory: string;
  let session: BrowserSession;
  let server: Server;
  let base: string;
  let page: Page;
  let accountId: string;
  let secret = "";

  beforeAll(async () => {
    upstream = await startFakeUpstream({ record: false });
    directory = mkdtempSync(join(tmpdir(), "bentoo-dashboard-keys-"));
    // Output costs 1,000 micro-dollars a token, input nothing: a request with max_tokens 5 costs $0.005.
    const model = (id: string) => ({
      id,
      provider: "fake",
      upstream_model: "fake-model",
      input_price_per_mtok: 0,
      output_price_per_mtok: 1000,
      context_length: 8192,
      max_output_tokens: 50,
    });
    const catalog = join(directory, "catalog.json");
    writeFileSync(
      catalog,
      JSON.stringify({
        providers: [{ id: "fake", type: "openai", base_url: upstream.url, api_key_env: null }],
        models: [model("fake/chat"), model("other/chat")],
      }),
    );
    session = await openBrowserSession({ BENTOO_CATALOG: catalog });
    ({ server, base } = session);
    page = await session.newPage(await session.newContext());
  }, 90_000);

  afterAll(async () => {
    await session?.close();
    await upstream?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  const call = async (path: string, body?: object) => {
    const response = await fetch(`${base}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", "user-agent": "bentoo-e2e/1.0" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as { error?: { code?: string } };
    return { status: response.status, code: json.error?.code ?? null };
  };
  const chat = (model = "fake/chat") =>
    call("/v1/chat/completions", { model, messages: [{ role: "user", content: "spend some of the budget" }], max_tokens: 5 });

  it("an account without credits is offered a test key first", async () => {
    await signUp(page, base, `budget-${Date.now()}@example.com`);
    accountId = await page.evaluate(async () => ((await (await fetch("/api/account")).json()) as { account: { id: string } }).account.id);
    await page.goto(`${base}/settings/api-keys`);
    await page.getByRole("button", { name: "Create key", exact: true }).click();
    const dialog = page.getByTestId("create-key-dialog");
    expect(await dialog.getByRole("radio", { name: /^Test/ }).isChecked()).toBe(true);
    expect(await dialog.getByTestId("no-credits-hint").textContent()).toContain("no credits yet");
    await dialog.getByRole("radio", { name: /^Live/ }).check();
    expect(await dialog.getByTestId("no-credits-hint").textContent()).toContain("402 insufficient_credits");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
  });

  it("creates a restricted key with a budget in the dialog: one permission, $0.01 a day, one model pattern", async () => {
    expect((await admin(server, "POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: 1_000_000 })).status).toBe(200);
    await page.reload();
    await page.getByRole("button", { name: "Create key", exact: true }).click();
    const dialog = page.getByTestId("create-key-dialog");
    expect(await dialog.getByRole("radio", { name: /^Live/ }).isChecked()).toBe(true);
    expect(await dialog.getByTestId("no-credits-hint").count()).toBe(0);
    await dialog.getByLabel("Name").fill("experiment");
    await dialog.getByRole("checkbox", { name: /^Key info/ }).uncheck();
    expect(await dialog.getByRole("checkbox", { name: /^Audit log/ }).isChecked()).toBe(false);
    await dialog.getByLabel("Budget (USD)").fill("0.01");
    await dialog.getByLabel("Budget period").selectOption("day");
    await dialog.getByLabel("Allowed models").fill("fake/*");
    await screenshot(page, "create-restricted-key", { fullPage: false });
    await dialog.getByRole("button", { name: "Create key" }).click();
    const revealed = page.getByTestId("new-key-secret");
    await revealed.waitFor();
    secret = await revealed.inputValue();
    expect(secret).toMatch(/^btoo_sk_live_/);
    await page.getByRole("button", { name: "I've saved my key" }).click();

    const row = page.locator(`tr[data-testid="key-row"][data-key-id="${secret.slice(-4)}"]`);
    await row.waitFor();
    expect(await row.getByTestId("key-restrictions").textContent()).toBe("inference · fake/*");
    expect(await row.getByTestId("key-budget").textContent()).toContain("$0.00 of $0.01");
    const stored = (await admin(server, "GET", `/admin/v1/accounts/${accountId}/keys`)).json.data as Array<Record<string, unknown>>;
    expect(stored.find((key) => key.key_id === secret.slice(-4))).toMatchObject({
      scopes: ["inference"],
      spend_cap: { amount_micros: 10_000, period: "day" },
      models: ["fake/*"],
      rpm_limit: null,
    });
  });

  it("the key spends until its budget is reached: the table shows it, and the API answers 402 key_spend_cap_reached", async () => {
    expect(await call("/v1/key")).toEqual({ status: 403, code: "insufficient_scope" });
    expect(await chat("other/chat")).toEqual({ status: 403, code: "model_not_allowed" });
    expect(await chat()).toEqual({ status: 200, code: null });
    const row = page.locator(`tr[data-testid="key-row"][data-key-id="${secret.slice(-4)}"]`);
    await eventually("the first request's $0.005 in the budget column", async () => {
      await page.reload();
      return ((await row.getByTestId("key-budget").textContent()) ?? "").includes("$0.005 of $0.01");
    });
    expect(await chat()).toEqual({ status: 200, code: null });
    expect(await chat()).toEqual({ status: 402, code: "key_spend_cap_reached" });
    await eventually("the budget reached in the table", async () => {
      await page.reload();
      return ((await row.getByTestId("key-budget").textContent()) ?? "").includes("Budget reached");
    });
    expect(await row.getByTestId("key-budget").textContent()).toContain("$0.01 of $0.01");
    // The account paid the key's $0.01 and no more.
    expect((await admin(server, "GET", `/admin/v1/accounts/${accountId}`)).json.balance_micros).toBe(1_000_000 - 10_000);
  });

  it("Edit raises the budget: the form shows the key's controls, and the key spends again at once", async () => {
    const row = page.locator(`tr[data-testid="key-row"][data-key-id="${secret.slice(-4)}"]`);
    await row.getByRole("button", { name: /^Edit / }).click();
    const dialog = page.getByTestId("edit-key-dialog");
    expect(await dialog.getByLabel("Budget (USD)").inputValue()).toBe("0.01");
    expect(await dialog.getByLabel("Budget period").inputValue()).toBe("day");
    expect(await dialog.getByLabel("Allowed models").inputValue()).toBe("fake/*");
    expect(await dialog.getByRole("checkbox", { name: /^Key info/ }).isChecked()).toBe(false);
    await dialog.getByLabel("Budget (USD)").fill("0.015");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "detached" });
    await eventually("the raised budget in the table", async () => ((await row.getByTestId("key-budget").textContent()) ?? "").includes("of $0.015"));
    expect(await chat()).toEqual({ status: 200, code: null });
    expect(await chat()).toEqual({ status: 402, code: "key_spend_cap_reached" });
  });

  it("the keys table fits a 1280-px window: every row's Revoke button is in view, with no sideways scroll", async () => {
    for (let index = 0; index < 3; index += 1)
      expect(
        (
          await admin(server, "POST", `/admin/v1/accounts/${accountId}/keys`, {
            name: `a rather long descriptive key name ${index}`,
            mode: "test",
            rpm_limit: 120,
            models: ["fake/chat", "other/chat", "fake/*"],
          })
        ).status,
      ).toBe(201);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    const table = page.locator(".keys-table");
    await table.waitFor();
    await screenshot(page, "api-keys-1280");
    const wrap = await page.locator(".table-wrap").evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
    const buttons = page.getByRole("button", { name: /^Revoke / });
    expect(await buttons.count()).toBe(4);
    for (const button of await buttons.all()) {
      const box = await button.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  });

  it("Logs lists the newest record first", async () => {
    await page.goto(`${base}/logs`);
    const rows = page.locator('tr[data-testid="log-row"][data-event="api.request"]');
    await eventually("the key's requests in the log", async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.waitForTimeout(300);
      return (await rows.count()) >= 5;
    });
    const statuses = await rows.evaluateAll((elements) => elements.slice(0, 5).map((element) => element.getAttribute("data-status") ?? ""));
    // The requests were made in this order: 403 (/v1/key), 403 (model), 200, 200, 402, then 200 and 402 after the edit.
    expect(statuses).toEqual(["402", "200", "402", "200", "200"]);
    await screenshot(page, "logs-newest-first");
  });

  it("loaded nothing from another origin, threw no error and broke no CSP rule", () => {
    expect(session.foreignRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.cspViolations).toEqual([]);
  });
});
