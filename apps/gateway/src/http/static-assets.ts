import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The built dashboard, read into memory once at start-up. Requests are
 * answered from this map only — a request path is never joined onto the file
 * system — so `..`, encoded slashes, symlinks and the like cannot reach a file
 * outside the build folder. The build is a few hundred kilobytes.
 */
export interface StaticAsset {
  body: Buffer;
  /** Gzip of the body for text types worth compressing, else null. */
  gzip: Buffer | null;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".svg", ".txt", ".map", ".webmanifest"]);
const MAX_FILES = 2000;

function walk(root: string, folder: string, found: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    // Dotfiles and symlinks are never served.
    if (entry.name.startsWith(".") || entry.isSymbolicLink()) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(root, path, found);
    else if (entry.isFile()) found.push(path);
    if (found.length > MAX_FILES) throw new Error(`${root} holds more than ${MAX_FILES} files; is it really the dashboard build?`);
  }
}

/** URL path (`/assets/index-abc.js`) → asset; null when the folder or its index.html is missing (not built). */
export function loadStaticAssets(root: string): Map<string, StaticAsset> | null {
  if (!existsSync(root) || !statSync(root).isDirectory() || !existsSync(join(root, "index.html"))) return null;
  const files: string[] = [];
  walk(root, root, files);
  const assets = new Map<string, StaticAsset>();
  for (const file of files) {
    const extension = extname(file).toLowerCase();
    const body = readFileSync(file);
    const gzip = COMPRESSIBLE.has(extension) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null;
    assets.set(`/${relative(root, file).split(sep).join("/")}`, {
      body,
      gzip: gzip !== null && gzip.length < body.length ? gzip : null,
      contentType: CONTENT_TYPES[extension] ?? "application/octet-stream",
      etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
    });
  }
  return assets;
}
