import { defineConfig } from "vitepress";

/**
 * The customer documentation, built into apps/docs/dist and served by the gateway
 * at /docs under the dashboard's CSP (no inline script, no other origin). VitePress's
 * own inline scripts: the page metadata goes into a chunk (`metaChunk`), and
 * scripts/externalize-inline-scripts.mjs moves the two head checks into files.
 */
export default defineConfig({
  srcDir: "pages",
  outDir: "dist",
  // Outside .vitepress/: the stale-build check reads the config and the theme, never a cache.
  cacheDir: ".vitepress-cache",
  base: "/docs/",
  cleanUrls: true,
  metaChunk: true,
  lang: "en-US",
  title: "Bentoo",
  titleTemplate: ":title · Bentoo docs",
  description: "How to call the Bentoo AI API: keys, limits, errors, models and the API reference.",
  // The dashboard's icon, served beside the docs by the same gateway.
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  // No git dates, no sitemap: the built site is the same wherever it is built.
  lastUpdated: false,
  themeConfig: {
    siteTitle: "Bentoo docs",
    search: { provider: "local" },
    outline: { level: [2, 3] },
    nav: [
      { text: "Quickstart", link: "/quickstart" },
      { text: "API reference", link: "/api-reference" },
    ],
    sidebar: [
      {
        text: "Getting started",
        items: [
          { text: "Overview", link: "/" },
          { text: "Quickstart", link: "/quickstart" },
          { text: "Secure your requests", link: "/secure-your-requests" },
        ],
      },
      {
        text: "Guides",
        items: [
          { text: "API keys", link: "/api-keys" },
          { text: "Rate limits and credits", link: "/rate-limits-and-credits" },
          { text: "IP allowlists", link: "/ip-allowlists" },
          { text: "Audit logs", link: "/audit-logs" },
          { text: "Webhooks", link: "/webhooks" },
        ],
      },
      {
        text: "Reference",
        items: [
          { text: "Errors", link: "/errors" },
          { text: "Models and pricing", link: "/models" },
          { text: "API reference", link: "/api-reference" },
        ],
      },
    ],
    docFooter: { prev: "Previous", next: "Next" },
  },
});
