import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ERROR_CATALOGUE } from "@bentoo/core";
import { describe, expect, it } from "vitest";
import { markdownFiles } from "./support/runnable-examples.js";

/**
 * Checks of the docs pages that need no server: the errors page lists exactly the
 * error catalogue, no page holds a key, and every link from one page to a heading
 * of another (or its own) names a heading that exists.
 */

const PAGES = fileURLToPath(new URL("../pages/", import.meta.url));
const pages = markdownFiles(PAGES).map((file) => ({ name: file.slice(PAGES.length), text: readFileSync(file, "utf8") }));

/** The page's lines outside code fences. */
function prose(text: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of text.split("\n")) {
    const marker = /^ *(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker !== undefined) fence = marker;
    else if (fence !== null && marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
    else if (fence === null) lines.push(line);
  }
  return lines;
}

/** VitePress's heading ids: an explicit `{#id}`, else its default slug of the heading's text. */
function headingIds(text: string): Set<string> {
  const ids = new Set<string>();
  for (const line of prose(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const explicit = /\{#([\w-]+)\}$/.exec(heading)?.[1];
    if (explicit !== undefined) {
      ids.add(explicit);
      continue;
    }
    const plain = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    ids.add(
      plain
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, "-")
        .replace(/-{2,}/g, "-")
        .replace(/^-+|-+$/g, "")
        .replace(/^(\d)/, "_$1")
        .toLowerCase(),
    );
  }
  return ids;
}

describe("the docs pages", () => {
  it("list every error code of the catalogue, once, with its status", () => {
    const errors = pages.find((page) => page.name === "errors.md");
    expect(errors).toBeDefined();
    const rows = prose(errors!.text)
      .map((line) => /^\| `([a-z_]+)` \| (\d{3}) \|/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], Number(match[2])]);
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, spec]) => [code, spec.status]);
    expect(rows.map(([code]) => code).sort()).toEqual(catalogue.map(([code]) => code).sort());
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(catalogue));
  });

  it("hold no API key", () => {
    for (const page of pages) expect(page.text, page.name).not.toMatch(/btoo_sk_(live|test)_[0-9A-Za-z]{32}/);
  });

  it("link only to headings that exist", () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const [, target = "", anchor = ""] of page.text.matchAll(/\]\((?:\.\/([\w-]+))?#([\w-]+)\)/g)) {
        const file = target === "" ? page.name : `${target}.md`;
        // A page another part of the site provides (Models, API reference) is checked by VitePress's dead-link check.
        if (!existsSync(join(PAGES, file))) continue;
        const text = target === "" ? page.text : readFileSync(join(PAGES, file), "utf8");
        if (!headingIds(text).has(anchor)) broken.push(`${page.name}: ${target || "(itself)"}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
