import { startWebhookReceiver, type WebhookReceiver } from "@bentoo/test-kit";
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, navLink, openBrowserSession, shouldRunBrowserTests, signUp } from "./support/browser-session.js";
import { admin, eventually, type Server, screenshot } from "./support/dashboard-e2e.js";

/**
 * Settings → Webhooks in Chromium against the built server: register an endpoint
 * (the secret shown once), create a key, watch the signed delivery reach a
 * receiver and appear in the delivery log, redeliver it; and the low-balance
 * threshold with its banner. The receiver listens on 127.0.0.1 over plain http,
 * which BENTOO_WEBHOOKS_ALLOW_PRIVATE=true permits.
 */
describe.skipIf(!shouldRunBrowserTests())("dashboard webhooks in Chromium against the built server", { timeout: 120_000 }, () => {
  let session: BrowserSession;
  let server: Server;
  let base: string;
  let page: Page;
  let receiver: WebhookReceiver;
  let secret = "";

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    session = await openBrowserSession({ BENTOO_WEBHOOKS_ALLOW_PRIVATE: "true", BENTOO_WEBHOOKS_POLL_MS: "100" });
    ({ server, base } = session);
    page = await session.newPage(await session.newContext());
    await signUp(page, base, `hooks-${Date.now()}@example.com`);
  }, 90_000);

  afterAll(async () => {
    await session?.close();
    await receiver?.close();
  });

  it("registers an endpoint; its signing secret is shown once", async () => {
    await navLink(page, "Webhooks").click();
    await page.waitForURL(`${base}/settings/webhooks`);
    await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const dialog = page.getByTestId("create-webhook-dialog");
    await dialog.getByLabel("Endpoint URL").fill(`${receiver.url}/bentoo`);
    await dialog.getByLabel("Description (optional)").fill("e2e receiver");
    await dialog.getByRole("checkbox", { name: /key\.created/ }).check();
    await dialog.getByRole("button", { name: "Add endpoint" }).click();
    const reveal = page.getByTestId("webhook-secret-dialog");
    await reveal.waitFor();
    secret = await page.getByTestId("webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, "webhook-secret", { fullPage: false });
    await page.getByRole("button", { name: "I've saved the secret" }).click();
    const row = page.getByTestId("webhook-row");
    await row.waitFor();
    expect(await row.textContent()).toContain(`${receiver.url}/bentoo`);
    expect(await row.textContent()).toContain("key.created");
    expect(await page.content()).not.toContain(secret);
  });

  it("a key created in the dashboard is delivered, signed, and shows in the delivery log; Redeliver sends it again", async () => {
    await navLink(page, "API Keys").click();
    await page.getByRole("button", { name: "Create key", exact: true }).click();
    const dialog = page.getByTestId("create-key-dialog");
    await dialog.getByLabel("Name").fill("hooked");
    await dialog.getByRole("radio", { name: /^Test/ }).check();
    await dialog.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("button", { name: "I've saved my key" }).click();

    await receiver.arrived(1, 15_000);
    const delivery = receiver.received[0]!;
    const payload = new Webhook(secret).verify(delivery.body, delivery.headers) as { type: string; data: { key: { name: string } } };
    expect(payload.type).toBe("key.created");
    expect(payload.data.key.name).toBe("hooked");

    await navLink(page, "Webhooks").click();
    await page.getByRole("button", { name: "Delivery log" }).click();
    const log = page.getByTestId("webhook-deliveries-dialog");
    const row = log.getByTestId("webhook-delivery-row");
    await eventually("the delivery shows as succeeded", async () => (await row.getAttribute("data-status")) === "succeeded");
    expect(await row.textContent()).toContain("key.created");
    expect(await row.textContent()).toContain(delivery.headers["webhook-id"]!);
    expect(await row.textContent()).toContain("HTTP 200");
    await screenshot(page, "webhook-deliveries", { fullPage: false });
    await log.getByRole("button", { name: /^Redeliver key\.created/ }).click();
    await receiver.arrived(2, 15_000);
    expect(receiver.received[1]!.headers["webhook-id"]).toBe(delivery.headers["webhook-id"]);
    await page.keyboard.press("Escape");
  });

  it("below the low-balance threshold a banner shows on every page", async () => {
    const accountId = await page.evaluate(async () => ((await (await fetch("/api/account")).json()) as { account: { id: string } }).account.id);
    expect((await admin(server, "POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: 3_000_000 })).status).toBe(200);
    await page.reload();
    await page.getByTestId("low-balance-form").waitFor();
    expect(await page.getByTestId("low-balance-banner").count()).toBe(0);
    await page.getByLabel("Warn me below (USD)").fill("5");
    await page.getByRole("button", { name: "Save threshold" }).click();
    const banner = page.getByTestId("low-balance-banner");
    await banner.waitFor();
    expect(await banner.textContent()).toContain("$3.00 left, below your alert threshold of $5.00");
    await navLink(page, "Overview").click();
    await banner.waitFor();
    await screenshot(page, "low-balance-banner", { fullPage: false });
    expect((await admin(server, "POST", `/admin/v1/accounts/${accountId}/credits`, { amount_micros: 10_000_000 })).status).toBe(200);
    await page.reload();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    expect(await page.getByTestId("low-balance-banner").count()).toBe(0);
    expect(session.pageErrors).toEqual([]);
    expect(session.cspViolations).toEqual([]);
    expect(session.foreignRequests).toEqual([]);
  });
});
