#!/usr/bin/env node
// The gateway serves the docs under the dashboard's CSP, `script-src 'self'`: no inline
// script runs. VitePress still writes two into every page's <head> (the dark-mode and
// macOS checks, which must run before the first paint). This moves each inline script's
// code into a content-hashed file under assets/ and loads it from a <script src> in the
// same place, which runs as early. Then it checks the pages: an inline script or event
// handler left, or a script, stylesheet or font from another origin, fails the build.
//
//   node scripts/externalize-inline-scripts.mjs <dist> <base>     # e.g. dist /docs/
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;
/** Script types that hold data, which the browser never runs (CSP does not apply to them). */
const DATA_TYPE = /\btype\s*=\s*["']?application\/(ld\+)?json/i;
const HAS_SRC = /\bsrc\s*=/i;
const EVENT_HANDLER = /<[a-z][^>]*\son[a-z]+\s*=/i;
/** Elements that load something: a script, a stylesheet, a preload or an icon. */
const LOADING_TAG = /<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi;
const CSS_REMOTE_URL = /url\(\s*["']?((?:https?:)?\/\/[^"')]+)/gi;

function filesUnder(folder, extension) {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Rewrites every HTML file under `dist`: each inline script becomes `<script … src="<base>assets/<name>.<hash>.js">`.
 * Returns the files written under assets/ (by name) and the problems found afterwards.
 */
export function externalizeInlineScripts(dist, base) {
  const written = new Map();
  const problems = [];
  for (const file of filesUnder(dist, ".html")) {
    const html = readFileSync(file, "utf8");
    const rewritten = html.replace(SCRIPT, (whole, attributes, code) => {
      if (HAS_SRC.test(attributes) || DATA_TYPE.test(attributes) || code.trim() === "") return whole;
      const id = /\bid\s*=\s*["']?([\w-]+)/i.exec(attributes)?.[1] ?? "inline";
      const name = `${id}.${createHash("sha256").update(code).digest("hex").slice(0, 10)}.js`;
      if (!written.has(name)) {
        writeFileSync(join(dist, "assets", name), code);
        written.set(name, code);
      }
      return `<script${attributes} src="${base}assets/${name}"></script>`;
    });
    if (rewritten !== html) writeFileSync(file, rewritten);
    for (const [whole, attributes, code] of rewritten.matchAll(SCRIPT)) {
      if (!HAS_SRC.test(attributes) && !DATA_TYPE.test(attributes) && code.trim() !== "") problems.push(`${file}: inline script ${whole.slice(0, 80)}`);
    }
    if (EVENT_HANDLER.test(rewritten)) problems.push(`${file}: inline event handler ${EVENT_HANDLER.exec(rewritten)[0].slice(0, 80)}`);
    for (const [, url] of rewritten.matchAll(LOADING_TAG)) problems.push(`${file}: loads ${url} from another origin`);
  }
  for (const file of filesUnder(dist, ".css")) {
    for (const [, url] of readFileSync(file, "utf8").matchAll(CSS_REMOTE_URL)) problems.push(`${file}: loads ${url} from another origin`);
  }
  return { written: [...written.keys()], problems };
}

function main() {
  const [dist, base] = process.argv.slice(2);
  if (dist === undefined || base === undefined || !base.startsWith("/") || !base.endsWith("/")) {
    process.stderr.write("usage: externalize-inline-scripts.mjs <dist> <base, such as /docs/>\n");
    process.exitCode = 2;
    return;
  }
  const { problems } = externalizeInlineScripts(resolve(dist), base);
  if (problems.length > 0) {
    process.stderr.write(`The docs build would break under the dashboard's CSP:\n${problems.join("\n")}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
