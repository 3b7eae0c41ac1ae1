import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { externalizeInlineScripts } from "../scripts/externalize-inline-scripts.mjs";

const DARK = `(()=>{localStorage.getItem("theme")==="dark"&&document.documentElement.classList.add("dark")})();`;
const PAGE = `<!DOCTYPE html><html><head>
<script type="module" src="/docs/assets/app.Ab12.js"></script>
<script id="check-dark-mode">${DARK}</script>
<script type="application/ld+json">{"@type":"WebSite"}</script>
</head><body><div id="app"></div></body></html>`;

describe("externalizeInlineScripts", () => {
  let dist = "";
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  function build(files: Record<string, string>): string {
    dist = mkdtempSync(join(tmpdir(), "bentoo-docs-build-"));
    mkdirSync(join(dist, "assets"));
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dist, name, ".."), { recursive: true });
      writeFileSync(join(dist, name), text);
    }
    return dist;
  }

  it("moves each inline script into one hashed file, loaded from the same place; data blocks and external scripts stay", () => {
    build({ "index.html": PAGE, "guide/keys.html": PAGE });
    const result = externalizeInlineScripts(dist, "/docs/");
    expect(result.problems).toEqual([]);
    expect(result.written).toHaveLength(1);
    const [name] = result.written;
    expect(name).toMatch(/^check-dark-mode\.[0-9a-f]{10}\.js$/);
    expect(readFileSync(join(dist, "assets", name!), "utf8")).toBe(DARK);
    for (const page of ["index.html", "guide/keys.html"]) {
      const html = readFileSync(join(dist, page), "utf8");
      expect(html).toContain(`<script id="check-dark-mode" src="/docs/assets/${name}"></script>\n<script type="application/ld+json">`);
      expect(html).toContain('<script type="module" src="/docs/assets/app.Ab12.js"></script>');
      expect(html).not.toContain(DARK);
    }
    // A second run finds nothing left to move.
    expect(externalizeInlineScripts(dist, "/docs/")).toEqual({ written: [], problems: [] });
    expect(readdirSync(join(dist, "assets"))).toEqual([name]);
  });

  it("reports an inline event handler and anything loaded from another origin", () => {
    build({
      "index.html": `<html><head><link rel="stylesheet" href="https://fonts.example.net/inter.css"><script src="//cdn.example.net/x.js"></script></head><body><img src="x.png" onerror="alert(1)"><a href="https://github.com/">a link is fine</a></body></html>`,
      "assets/style.css": `@font-face{src:url(https://fonts.example.net/inter.woff2)}`,
    });
    const { problems } = externalizeInlineScripts(dist, "/docs/");
    expect(problems.map((problem) => problem.replace(dist, ""))).toEqual([
      '/index.html: inline event handler <img src="x.png" onerror=',
      "/index.html: loads https://fonts.example.net/inter.css from another origin",
      "/index.html: loads //cdn.example.net/x.js from another origin",
      "/assets/style.css: loads https://fonts.example.net/inter.woff2 from another origin",
    ]);
  });
});
