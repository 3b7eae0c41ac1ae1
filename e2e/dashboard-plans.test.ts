import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, openBrowserSession, shouldRunBrowserTests, signUp } from "./support/browser-session.js";
import { admin, type Server, screenshot } from "./support/dashboard-e2e.js";

/**
 * Plans in the dashboard, in Chromium against the built server: the free plan's
 * 50-key cap (visible before it is hit, refused with the limit message after),
 * and IP allowlist editing once the operator moves the account to Enterprise.
 */
describe.skipIf(!shouldRunBrowserTests())("dashboard plans in Chromium against the built server", { timeout: 120_000 }, () => {
  let session: BrowserSession;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    session = await openBrowserSession();
    ({ server, base } = session);
  }, 90_000);

  afterAll(async () => {
    await session?.close();
  });

  let other: Page;
  let accountId: string;

  it("on free, the 51st key is refused with the limit message (the cap is visible first)", async () => {
    other = await session.newPage(await session.newContext());
    await signUp(other, base, `limits-${Date.now()}@example.com`);
    accountId = await other.evaluate(async () => ((await (await fetch("/api/account")).json()) as { account: { id: string } }).account.id);
    for (let batch = 0; batch < 7; batch += 1) {
      const created = await Promise.all(
        Array.from({ length: 7 }, (_, index) =>
          admin(server, "POST", `/admin/v1/accounts/${accountId}/keys`, { name: `bulk-${batch * 7 + index}`, mode: "test" }),
        ),
      );
      expect(created.map((result) => result.status)).toEqual(Array(7).fill(201));
    }
    await other.goto(`${base}/settings/api-keys`);
    const cap = other.getByTestId("key-cap");
    expect(await cap.textContent()).toContain("49 of 50");
    expect(await cap.textContent()).toContain("close to the limit");

    const createKey = async (name: string) => {
      await other.getByRole("button", { name: "Create key", exact: true }).click();
      const dialog = other.getByTestId("create-key-dialog");
      await dialog.getByLabel("Name").fill(name);
      await dialog.getByRole("radio", { name: /^Test/ }).check();
      await dialog.getByRole("button", { name: "Create key" }).click();
      return dialog;
    };
    await createKey("key-50");
    await other.getByRole("button", { name: "I've saved my key" }).click();
    await other.waitForFunction(() => document.querySelector('[data-testid="key-cap"]')?.textContent?.includes("50 of 50"));
    expect(await cap.textContent()).toContain("reached the limit of 50");

    const dialog = await createKey("key-51");
    const error = other.getByTestId("create-key-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/at most 50 active API keys/);
    await screenshot(other, "key-limit", { fullPage: false });
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("on enterprise, edits the allowlists of a key and of the account, with validation messages", async () => {
    expect((await admin(server, "PATCH", `/admin/v1/accounts/${accountId}`, { plan: "enterprise" })).status).toBe(200);
    await other.goto(`${base}/settings/security`);
    const row = other.locator('tr[data-testid="key-allowlist-row"]').first();
    await row.getByRole("button", { name: /^Edit allowlist/ }).click();
    const dialog = other.getByTestId("key-allowlist-dialog");
    await dialog.getByLabel("Allowed addresses for this key").fill("198.51.100.7/33");
    await dialog.getByRole("button", { name: "Save allowlist" }).click();
    expect(await dialog.getByTestId("allowlist-error").textContent()).toContain("198.51.100.7/33");
    await dialog.getByLabel("Allowed addresses for this key").fill("198.51.100.7\n2001:db8::/48");
    await dialog.getByRole("button", { name: "Save allowlist" }).click();
    await dialog.getByTestId("allowlist-saved").waitFor();
    await dialog.getByRole("button", { name: "Close", exact: true }).click();
    await other.reload();
    expect(await other.locator('tr[data-testid="key-allowlist-row"]').first().textContent()).toContain("198.51.100.7, 2001:db8::/48");

    const account = other.getByTestId("account-allowlist-editor");
    await account.getByLabel("Allowed addresses for all keys").fill("203.0.113.0/24\n10.0.0.999");
    await account.getByRole("button", { name: "Save allowlist" }).click();
    expect(await account.getByTestId("allowlist-error").textContent()).toContain("10.0.0.999");
    await account.getByLabel("Allowed addresses for all keys").fill("203.0.113.0/24\n2001:db8::/32");
    await account.getByRole("button", { name: "Save allowlist" }).click();
    await account.getByTestId("allowlist-saved").waitFor();
    await screenshot(other, "security-enterprise");
    await other.reload();
    expect(await other.getByLabel("Allowed addresses for all keys").inputValue()).toBe("203.0.113.0/24\n2001:db8::/32");
  });

  it("loaded nothing from another origin, threw no error and broke no CSP rule", () => {
    expect(session.foreignRequests).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.cspViolations).toEqual([]);
  });
});
