import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import fastifySwagger from "@fastify/swagger";
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * The OpenAPI 3.1 documents, generated from the route schemas Fastify validates
 * requests with (validation.ts): one for the customer API under /v1 (served
 * publicly at /openapi.json) and one for the operator's admin API under
 * /admin/v1 (at /admin/v1/openapi.json, behind the admin token). Everything
 * else the server answers (the dashboard's /api, health checks, metrics, the
 * docs site) is left out of both.
 */

type Json = Record<string, unknown>;

export interface OpenApiDocuments {
  /** The customer API (/v1). */
  api: Json;
  /** The admin API (/admin/v1). */
  admin: Json;
}

const API_TAGS = [
  { name: "Chat", description: "OpenAI's Chat Completions API, for every chat model in the catalog." },
  { name: "Responses", description: "OpenAI's Responses API, with stored responses." },
  { name: "Messages", description: "Anthropic's Messages API (Anthropic's SDKs, Claude Code), for every chat model." },
  { name: "Embeddings", description: "OpenAI's Embeddings API, for the catalog's embedding models." },
  { name: "Models", description: "The catalog: models, prices and context lengths." },
  { name: "Keys", description: "What the calling key is and may do." },
  { name: "Audit", description: "The account's request records (needs the `audit:read` scope)." },
];

const ADMIN_TAGS = [
  { name: "Accounts", description: "Accounts, their plans, credits and settings." },
  { name: "Keys", description: "An account's API keys." },
  { name: "Webhooks", description: "An account's webhook endpoints and deliveries." },
  { name: "Meta", description: "This document." },
];

const API_SECURITY_SCHEMES = {
  bearerAuth: {
    type: "http",
    scheme: "bearer",
    description: "An API key, `btoo_sk_live_…` or `btoo_sk_test_…`, as `Authorization: Bearer <key>`.",
  },
  apiKeyHeader: { type: "apiKey", in: "header", name: "x-api-key", description: "The same API key in `x-api-key`, as Anthropic's clients send it." },
} as const;

const ADMIN_SECURITY_SCHEMES = {
  adminToken: { type: "http", scheme: "bearer", description: "The operator's token, `BENTOO_ADMIN_TOKEN`, as `Authorization: Bearer <token>`." },
} as const;

/** Fastify route URLs in OpenAPI's form: the catalog's `/v1/models/*` (model ids hold slashes) takes a `model` parameter. */
const WILDCARD_PARAMETERS: Record<string, { name: string; description: string }> = {
  "/v1/models/*": { name: "model", description: "A model id from GET /v1/models, e.g. `openai/gpt-6-luna` (its slash may be sent as is)." },
};

/** The gateway's version (its package.json's), which both documents carry. */
const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/** Registers the generator; call before any route is registered (it collects them as they are). */
export async function installOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Bentoo API", version: VERSION },
      // Named here so that routes can require them; each document keeps its own.
      components: { securitySchemes: { ...API_SECURITY_SCHEMES, ...ADMIN_SECURITY_SCHEMES } },
    },
    transform: ({ schema, url }) => {
      const wildcard = WILDCARD_PARAMETERS[url];
      if (wildcard === undefined) return { schema, url };
      return {
        url: url.replace("*", `:${wildcard.name}`),
        schema: {
          ...schema,
          params: {
            type: "object",
            properties: { [wildcard.name]: { type: "string", description: wildcard.description } },
            required: [wildcard.name],
          },
        },
      };
    },
  });
}

/**
 * Moves every schema with a `title` into `components.schemas` under that title
 * and points to it, innermost first, so the reference reads in named types.
 * Two different schemas with one title are a mistake in the route schemas.
 */
function hoistTitledSchemas(node: unknown, components: Json): unknown {
  if (Array.isArray(node)) return node.map((item) => hoistTitledSchemas(item, components));
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = hoistTitledSchemas(value, components);
  const title = out.title;
  const isSchema = "type" in out || "anyOf" in out || "oneOf" in out || "allOf" in out || "properties" in out;
  if (typeof title !== "string" || !isSchema) return out;
  const existing = components[title];
  if (existing !== undefined && !isDeepStrictEqual(existing, out)) throw new Error(`Two different schemas are titled "${title}"; give one another title.`);
  components[title] = out;
  return { $ref: `#/components/schemas/${title}` };
}

/** Drops the schema keywords meant for the server alone. */
function withoutServerKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutServerKeywords);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) if (key !== "x-error-hint") out[key] = withoutServerKeywords(value);
  return out;
}

function documentFor(full: Json, options: { prefix: string; title: string; description: string; tags: object[]; securitySchemes: object }): Json {
  const paths: Json = {};
  for (const [path, item] of Object.entries((full.paths ?? {}) as Json)) if (path.startsWith(options.prefix)) paths[path] = item;
  const schemas: Json = {};
  const hoisted = hoistTitledSchemas(withoutServerKeywords(paths), schemas) as Json;
  const info = full.info as Json;
  return {
    openapi: "3.1.0",
    info: { ...info, title: options.title, description: options.description },
    tags: options.tags,
    paths: hoisted,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: options.securitySchemes,
    },
  };
}

/** What the router answers for what neither document lists. */
const UNLISTED =
  "A path this document does not list answers 404 `not_found`; a listed path with another method answers 405 `method_not_allowed`, with an `Allow` header.";

/** Both documents, from the routes registered so far; the app must be ready. */
export function openApiDocuments(app: FastifyInstance): OpenApiDocuments {
  const full = app.swagger() as unknown as Json;
  return {
    api: documentFor(full, {
      prefix: "/v1/",
      title: "Bentoo API",
      description: `One API key for every model in the catalog, through the API your client speaks: OpenAI's Chat Completions, Responses and Embeddings, and Anthropic's Messages. Guides: /docs. ${UNLISTED}`,
      tags: API_TAGS,
      securitySchemes: API_SECURITY_SCHEMES,
    }),
    admin: documentFor(full, {
      prefix: "/admin/v1/",
      title: "Bentoo admin API",
      description: `The operator's API: accounts, plans, credits, keys and webhooks. Every call needs the admin token. ${UNLISTED}`,
      tags: ADMIN_TAGS,
      securitySchemes: ADMIN_SECURITY_SCHEMES,
    }),
  };
}

/** The server's own origin as the client reached it (behind a trusted proxy, the proxy's), for `servers`. */
function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * GET /openapi.json (public, like the docs it feeds) and, on the admin scope,
 * GET /admin/v1/openapi.json. Built once, on the first request; `servers`
 * names the origin the client used.
 */
export function openApiRoute(app: FastifyInstance, path: string, pick: (documents: OpenApiDocuments) => Json, schema: object): void {
  let built: Json | null = null;
  app.get(path, { schema }, async (request, reply) => {
    built ??= pick(openApiDocuments(request.server));
    reply.header("cache-control", "public, max-age=300");
    return { ...built, servers: [{ url: origin(request), description: "This Bentoo server" }] };
  });
}
