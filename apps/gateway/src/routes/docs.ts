import type { PublicCatalogJson } from "@bentoo/api-types";
import type { Catalog } from "@bentoo/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { presentPublicModel } from "../http/presenters.js";
import {
  IMMUTABLE_CACHE,
  loadStaticAssets,
  notBuiltPage,
  REVALIDATE_CACHE,
  requestPath,
  type StaticAsset,
  sendAsset,
  sendMissingAsset,
  staticAsset,
} from "../http/static-assets.js";
import { DASHBOARD_SECURITY_HEADERS } from "./dashboard.js";

/**
 * Serves the customer documentation (apps/docs/dist, a VitePress build with
 * `base: "/docs/"` and clean URLs) at `/docs/`, under the dashboard's security
 * headers, and the public catalog its Models page reads. VitePress links to
 * `/docs/api-keys` for pages/api-keys.md: a path without an extension is served
 * from the `.html` file of that name, so deep links and reloads work; any other
 * path gets VitePress's own 404 page with status 404.
 */
export interface DocsOptions {
  /** The docs' build folder (holds index.html, 404.html and assets/). */
  root: string;
  /** The server's catalog, for /docs/catalog.json. */
  catalog: Catalog;
}

const PREFIX = "/docs";
/** VitePress's content-hashed files (scripts, styles, fonts, page chunks). */
const HASHED_PREFIX = "/assets/";
const NOT_BUILT_PAGE = notBuiltPage("documentation");
/** Prices change when the operator changes the catalog and restarts; a minute of caching is harmless then. */
const CATALOG_CACHE = "public, max-age=60";

/** The build's file for a path below /docs: the file itself, `<path>.html` (clean URLs) or `<path>index.html`. */
function findPage(assets: ReadonlyMap<string, StaticAsset>, path: string): StaticAsset | undefined {
  if (path.endsWith("/")) return assets.get(`${path}index.html`);
  return assets.get(path) ?? assets.get(`${path}.html`);
}

export function docsRoutes(app: FastifyInstance, options: DocsOptions): void {
  const assets = loadStaticAssets(options.root);
  const notFound = assets?.get("/404.html") ?? null;
  const catalog: PublicCatalogJson = { object: "list", data: options.catalog.modelList.map(presentPublicModel) };
  const catalogAsset = staticAsset(Buffer.from(JSON.stringify(catalog)), ".json");

  // The public model list (like OpenRouter's): ids, kinds, limits and prices; no key needed (docs/decisions.md).
  app.get("/docs/catalog.json", async (request, reply) => {
    reply.headers(DASHBOARD_SECURITY_HEADERS);
    return sendAsset(request, reply, catalogAsset, CATALOG_CACHE);
  });

  app.get(PREFIX, async (request, reply) => {
    const query = request.url.slice(PREFIX.length);
    return reply.headers(DASHBOARD_SECURITY_HEADERS).redirect(`${PREFIX}/${query}`, 301);
  });

  app.get(`${PREFIX}/*`, async (request: FastifyRequest, reply: FastifyReply) => {
    const path = requestPath(request.url)?.slice(PREFIX.length) ?? null;
    if (path === null) return reply.callNotFound();
    reply.headers(DASHBOARD_SECURITY_HEADERS);
    if (assets === null) return reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(NOT_BUILT_PAGE);
    const asset = findPage(assets, path);
    if (asset !== undefined) return sendAsset(request, reply, asset, path.startsWith(HASHED_PREFIX) ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
    if (path.startsWith(HASHED_PREFIX) || notFound === null) return sendMissingAsset(reply);
    return reply.code(404).header("cache-control", REVALIDATE_CACHE).type(notFound.contentType).send(notFound.body);
  });
}
