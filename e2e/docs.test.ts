import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, navLink, openBrowserSession, shouldRunBrowserTests, signUp } from "./support/browser-session.js";
import { screenshot } from "./support/dashboard-e2e.js";

/**
 * The customer docs (apps/docs, served at /docs) in Chromium against the built server:
 * reached from the dashboard, the live Models table and API reference, examples that show
 * this server's origin, and no console error, CSP violation or request to another origin.
 */
const SAMPLE_OPENAPI = readFileSync(new URL("../apps/docs/test/fixtures/openapi.json", import.meta.url), "utf8");

describe.skipIf(!shouldRunBrowserTests())("docs in Chromium against the built server", { timeout: 120_000 }, () => {
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  /** Console errors on docs pages, with the URL they are about: a resource a test asks for on purpose may 404. */
  const consoleErrors: { text: string; url: string }[] = [];

  const sidebarLink = (name: string) => page.locator("#VPSidebarNav").getByRole("link", { name, exact: true });
  const firstCodeBlock = () => page.locator('.vp-doc div[class*="language-"] pre code').first();

  beforeAll(async () => {
    session = await openBrowserSession();
    base = session.base;
    context = await session.newContext();
    page = await session.newPage(context);
    page.on("console", (message) => {
      if (message.type() === "error" && page.url().startsWith(`${base}/docs`)) consoleErrors.push({ text: message.text(), url: message.location().url });
    });
  }, 90_000);

  afterAll(async () => {
    await session?.close();
  });

  it("the sign-in page and the dashboard's navigation link to the docs; the link lands on the overview", async () => {
    await page.goto(`${base}/signin`);
    expect(await page.getByRole("link", { name: "Read the API docs" }).getAttribute("href")).toBe("/docs/");
    await signUp(page, base, `docs-${Date.now()}@example.com`);
    await navLink(page, "Docs").click();
    await page.waitForURL(`${base}/docs/`);
    await page.getByRole("heading", { name: "Bentoo API documentation", level: 1 }).waitFor();
    expect(await page.locator("#VPSidebarNav").textContent()).toMatch(
      /Getting started.*Overview.*Quickstart.*Guides.*API keys.*Reference.*Errors.*Models and pricing.*API reference/s,
    );
    await screenshot(page, "docs-overview", { fullPage: false });
  });

  it("code examples show this server's origin, in the page and in what the copy button copies", async () => {
    const code = firstCodeBlock();
    expect(await code.textContent()).toContain(`curl --fail-with-body -sS ${base}/v1/models`);
    expect(await page.locator(".vp-doc").textContent()).not.toContain("bentoo.example.com");
    // A `bash runnable` fence: highlighted as bash, the extra word nowhere.
    expect(await page.locator('.vp-doc div[class*="language-"]').first().getAttribute("class")).toContain("language-bash");
    expect(await page.locator(".vp-doc").textContent()).not.toContain("runnable");
    await page.locator('.vp-doc div[class*="language-"] > button.copy').first().click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(`curl --fail-with-body -sS ${base}/v1/models`);
  });

  it("Models and pricing lists the live catalog with exact prices, after an in-app navigation and after a reload", async () => {
    await sidebarLink("Models and pricing").click();
    await page.waitForURL(`${base}/docs/models`);
    const row = page.locator('[data-testid="catalog-table"] tr[data-model="openai/gpt-6-luna"]');
    await row.waitFor();
    expect((await row.locator("td").allTextContents()).map((cell) => cell.trim())).toEqual([
      "openai/gpt-6-luna",
      "chat",
      "1,050,000",
      "$0.10",
      "$0.50",
      "$0.01",
    ]);
    const embedding = page.locator('[data-testid="catalog-table"] tr[data-model="openai/text-embedding-3-small"]');
    expect((await embedding.locator("td").allTextContents()).map((cell) => cell.trim())).toEqual([
      "openai/text-embedding-3-small",
      "embedding",
      "8,191",
      "$0.02",
      "—",
      "—",
    ]);
    // The page changed without a load: its example was rewritten after the route change.
    expect(await firstCodeBlock().textContent()).toContain(`base_url="${base}/v1"`);
    await screenshot(page, "docs-models", { fullPage: false });
    const reload = await page.reload();
    expect(reload?.status()).toBe(200);
    await row.waitFor();
    expect(await firstCodeBlock().textContent()).toContain(`base_url="${base}/v1"`);
  });

  it("the API reference renders this server's own OpenAPI document", async () => {
    await page.goto(`${base}/docs/api-reference`);
    await page.locator(".bentoo-operation").first().waitFor();
    expect(await page.getByTestId("api-reference-error").count()).toBe(0);
    expect(await page.locator(".bentoo-api").textContent()).toContain(`Base URL: ${base}`);
    expect(await page.locator(".bentoo-api-group h2").allTextContents()).toContain("Models");
    const lines = (await page.locator(".bentoo-operation-line").allTextContents()).map((line) => line.trim());
    expect(lines).toEqual(expect.arrayContaining(["GET/v1/models", "POST/v1/chat/completions"]));
    await screenshot(page, "docs-api-reference-live", { fullPage: false });
    expect(await page.getByRole("link", { name: "/openapi.json" }).first().getAttribute("href")).toBe("/openapi.json");
  });

  it("the API reference says where the document would be when it cannot load it", async () => {
    await page.route(`${base}/openapi.json`, (route) => route.fulfill({ status: 503, contentType: "application/json", body: "{}" }));
    try {
      await page.goto(`${base}/docs/api-reference`);
      const fallback = page.getByTestId("api-reference-error");
      await fallback.waitFor();
      expect(await fallback.textContent()).toContain("could not be loaded from /openapi.json (the server answered 503)");
    } finally {
      await page.unroute(`${base}/openapi.json`);
    }
  });

  it("the API reference renders a full document: tags, operations, parameters, property trees, responses and security", async () => {
    await page.route(`${base}/openapi.json`, (route) => route.fulfill({ status: 200, contentType: "application/json", body: SAMPLE_OPENAPI }));
    try {
      await page.goto(`${base}/docs/api-reference`);
      await page.locator(".bentoo-operation").first().waitFor();
      expect(await page.locator(".bentoo-api-group h2").allTextContents()).toEqual(["Chat", "Models", "Keys", "Other"]);
      expect(await page.locator(".bentoo-api").textContent()).toContain(`Base URL: ${base} (this server)`);
      const chat = page.locator('[data-operation="createchatcompletion"]');
      expect(await chat.locator("h3").textContent()).toBe("Create a chat completion");
      expect(await chat.locator(".bentoo-operation-line").textContent()).toContain("POST/v1/chat/completions");
      expect(await chat.locator(".bentoo-security").textContent()).toContain("bearerAuth — HTTP bearer token");
      expect(await chat.textContent()).toContain("Idempotency-Key");
      // Property trees: nested objects collapse; a recursive schema is named, not expanded forever.
      const messages = chat.locator('.bentoo-media [data-property="messages"]').first();
      expect(await messages.textContent()).toContain("array of Message");
      await messages.locator("summary").first().click();
      await messages.locator('[data-property="role"]').first().waitFor();
      expect(await messages.locator('[data-property="role"]').first().textContent()).toContain('"assistant"');
      expect(await chat.locator('[data-property="items"]').first().textContent()).toContain("(defined above)");
      expect(await chat.locator(".bentoo-response").evaluateAll((responses) => responses.map((response) => response.getAttribute("data-status")))).toEqual([
        "200",
        "400",
        "401",
        "429",
      ]);
      const limited = chat.locator('.bentoo-response[data-status="429"]');
      await limited.locator(":scope > summary").click();
      expect(await limited.textContent()).toContain("retry-after");
      await messages.scrollIntoViewIfNeeded();
      await screenshot(page, "docs-api-reference", { fullPage: false });
      expect(await page.locator('[data-operation="health"] .bentoo-security').textContent()).toContain("none needed");
    } finally {
      await page.unroute(`${base}/openapi.json`);
    }
  });

  it("an unknown docs page gets the docs' 404 page with status 404; local search works", async () => {
    const missing = await page.goto(`${base}/docs/no-such-page`);
    expect(missing?.status()).toBe(404);
    expect(missing?.headers()["content-security-policy"]).toContain("script-src 'self';");
    await page.getByText("PAGE NOT FOUND").waitFor();
    await page.goto(`${base}/docs/`);
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator(".VPLocalSearchBox input").fill("allowlists");
    await page.locator(".VPLocalSearchBox .result").first().waitFor();
    expect(await page.locator(".VPLocalSearchBox .result").first().textContent()).toContain("IP allowlists");
  });

  it("loaded nothing from another origin, broke no CSP rule and logged no error", () => {
    // Only the failures the tests above asked for: the /openapi.json answered 503 on purpose and the unknown page's 404.
    const expected = [
      { status: "503", url: `${base}/openapi.json` },
      { status: "404", url: `${base}/docs/no-such-page` },
    ];
    expect(consoleErrors.filter((error) => !expected.some(({ status, url }) => error.text.includes(`status of ${status}`) && error.url === url))).toEqual([]);
    expect(session.cspViolations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    expect(session.foreignRequests).toEqual([]);
  });
});
