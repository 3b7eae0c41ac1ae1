import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { loadStaticAssets, type StaticAsset } from "../http/static-assets.js";

/**
 * Serves the dashboard single-page app (apps/dashboard/dist) at `/`: files by
 * exact path, and index.html for any other page a browser asks for (client-side
 * routes such as /settings/api-keys are deep-linkable). Under the API prefixes,
 * and for clients that do not ask for HTML (curl, SDKs), an unknown path still
 * gets the JSON 404 of the app's not-found handler.
 */
export interface DashboardOptions {
  /** The dashboard's build folder (holds index.html and assets/). */
  root: string;
}

/** Sent with every dashboard response: no inline scripts, no framing, no referrer, no sniffing. */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "cross-origin-opener-policy": "same-origin",
};

/** Paths the SPA fallback never answers: they belong to the API and health checks. */
const API_PREFIXES = ["/v1", "/api", "/admin", "/healthz", "/readyz", "/metrics"];

/** Vite puts content-hashed files under /assets/: they never change, so browsers may keep them for a year. */
const HASHED_PREFIX = "/assets/";
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bentoo: dashboard not built</title></head>
<body>
<h1>The Bentoo dashboard is not built</h1>
<p>Run <code>npm run build</code> in the Bentoo repository, then restart the server.</p>
<p>The API is up meanwhile: <code>GET /v1/models</code>, <code>GET /healthz</code>.</p>
</body>
</html>
`;

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** The decoded path of a request URL, or null when it does not decode. */
function pathOf(url: string): string | null {
  const raw = url.split("?", 1)[0] ?? "/";
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** A browser navigating to a page sends `Accept: text/html,…`; curl and the SDKs ask for JSON or anything. */
function wantsPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === "string" && accept.includes("text/html");
}

function acceptsGzip(request: FastifyRequest): boolean {
  const header = request.headers["accept-encoding"];
  return typeof header === "string" && /\bgzip\b/.test(header);
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: StaticAsset, cacheControl: string): FastifyReply {
  reply.header("cache-control", cacheControl).header("etag", asset.etag).header("content-type", asset.contentType);
  if (asset.gzip !== null) reply.header("vary", "accept-encoding");
  if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
  if (asset.gzip !== null && acceptsGzip(request)) return reply.header("content-encoding", "gzip").send(asset.gzip);
  return reply.send(asset.body);
}

export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): void {
  const assets = loadStaticAssets(options.root);
  const index = assets?.get("/index.html") ?? null;

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    if (path === null || isApiPath(path)) return reply.callNotFound();
    const isRoot = path === "/" || path === "/index.html";
    if (!isRoot && !wantsPage(request) && assets?.has(path) !== true) return reply.callNotFound();
    reply.headers(DASHBOARD_SECURITY_HEADERS);
    if (assets === null || index === null) {
      return reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(NOT_BUILT_PAGE);
    }
    const asset = assets.get(path);
    if (asset !== undefined && path !== "/index.html") return sendAsset(request, reply, asset, path.startsWith(HASHED_PREFIX) ? IMMUTABLE : REVALIDATE);
    // A missing hashed file is a stale page asking for an old build: a 404, not HTML the browser would try to run.
    if (path.startsWith(HASHED_PREFIX)) return reply.code(404).header("cache-control", "no-store").type("text/plain; charset=utf-8").send("Not found\n");
    return sendAsset(request, reply, index, REVALIDATE);
  };

  app.get("/", serve);
  app.get("/*", serve);
}
