import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * A built site (the dashboard, the docs), read into memory once at start-up.
 * Requests are answered from this map only — a request path is never joined
 * onto the file system — so `..`, encoded slashes, symlinks and the like cannot
 * reach a file outside the build folder. Each build is a few hundred kilobytes.
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

/** Vite puts content-hashed files under /assets/: they never change, so browsers may keep them for a year. */
export const IMMUTABLE_CACHE = "public, max-age=31536000, immutable";
/** Everything else (pages, favicons) is checked again on each use: its ETag makes that a 304. */
export const REVALIDATE_CACHE = "no-cache";

function walk(root: string, folder: string, found: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    // Dotfiles and symlinks are never served.
    if (entry.name.startsWith(".") || entry.isSymbolicLink()) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) walk(root, path, found);
    else if (entry.isFile()) found.push(path);
    if (found.length > MAX_FILES) throw new Error(`${root} holds more than ${MAX_FILES} files; is it really a site build?`);
  }
}

/** URL path (`/assets/index-abc.js`) → asset; null when the folder or its index.html is missing (not built). */
export function loadStaticAssets(root: string): Map<string, StaticAsset> | null {
  if (!existsSync(root) || !statSync(root).isDirectory() || !existsSync(join(root, "index.html"))) return null;
  const files: string[] = [];
  walk(root, root, files);
  const assets = new Map<string, StaticAsset>();
  for (const file of files) assets.set(`/${relative(root, file).split(sep).join("/")}`, staticAsset(readFileSync(file), extname(file)));
  return assets;
}

/** One file's body as served: its content type (from `extension`, such as `.js`), ETag and gzip. */
export function staticAsset(body: Buffer, extension: string): StaticAsset {
  const type = extension.toLowerCase();
  const gzip = COMPRESSIBLE.has(type) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null;
  return {
    body,
    gzip: gzip !== null && gzip.length < body.length ? gzip : null,
    contentType: CONTENT_TYPES[type] ?? "application/octet-stream",
    etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
  };
}

function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers["accept-encoding"];
  return typeof header === "string" && /\bgzip\b/.test(header);
}

/** Answers with `asset`: 304 when the client holds its ETag, gzipped when the client takes it. */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: StaticAsset, cacheControl: string): FastifyReply {
  reply.header("cache-control", cacheControl).header("etag", asset.etag).header("content-type", asset.contentType);
  if (asset.gzip !== null) reply.header("vary", "accept-encoding");
  if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  if (asset.gzip !== null && acceptsGzip(request)) return reply.header("content-encoding", "gzip").send(asset.gzip);
  return reply.send(asset.body);
}

/** Served, with `cache-control: no-store`, in place of a site (`name`: "dashboard", "documentation") whose build folder is missing. */
export function notBuiltPage(name: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bentoo: ${name} not built</title></head>
<body>
<h1>The Bentoo ${name} is not built</h1>
<p>Run <code>npm run build</code> in the Bentoo repository, then restart the server.</p>
<p>The API is up meanwhile: <code>GET /v1/models</code>, <code>GET /healthz</code>.</p>
</body>
</html>
`;
}

/** A content-hashed file that is not in the build: a stale page asking for an old build gets a 404, not HTML it would try to run. */
export function sendMissingAsset(reply: FastifyReply): FastifyReply {
  return reply.code(404).header("cache-control", "no-store").type("text/plain; charset=utf-8").send("Not found\n");
}

/** The decoded path of a request URL, or null when it does not decode. */
export function requestPath(url: string): string | null {
  const raw = url.split("?", 1)[0] ?? "/";
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
