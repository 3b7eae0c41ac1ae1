import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { IMMUTABLE_CACHE, loadStaticAssets, notBuiltPage, REVALIDATE_CACHE, requestPath, sendAsset, sendMissingAsset } from "../http/static-assets.js";

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

/** Paths the SPA fallback never answers: they belong to the API, the health checks and the docs site. */
const API_PREFIXES = ["/v1", "/api", "/admin", "/healthz", "/readyz", "/metrics", "/docs"];

/** Where Vite puts content-hashed files. */
const HASHED_PREFIX = "/assets/";

const NOT_BUILT_PAGE = notBuiltPage("dashboard");

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** A browser navigating to a page sends `Accept: text/html,…`; curl and the SDKs ask for JSON or anything. */
function wantsPage(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === "string" && accept.includes("text/html");
}

export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): void {
  const assets = loadStaticAssets(options.root);
  const index = assets?.get("/index.html") ?? null;

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = requestPath(request.url);
    if (path === null || isApiPath(path)) return reply.callNotFound();
    const isRoot = path === "/" || path === "/index.html";
    if (!isRoot && !wantsPage(request) && assets?.has(path) !== true) return reply.callNotFound();
    reply.headers(DASHBOARD_SECURITY_HEADERS);
    if (assets === null || index === null) {
      return reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(NOT_BUILT_PAGE);
    }
    const asset = assets.get(path);
    if (asset !== undefined && path !== "/index.html")
      return sendAsset(request, reply, asset, path.startsWith(HASHED_PREFIX) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
    if (path.startsWith(HASHED_PREFIX)) return sendMissingAsset(reply);
    return sendAsset(request, reply, index, REVALIDATE_CACHE);
  };

  app.get("/", serve);
  app.get("/*", serve);
}
