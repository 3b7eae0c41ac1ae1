import { dereference, type JsonObject, record, type SchemaNode, schemaNode, text } from "./openapi-schema";

/**
 * An OpenAPI 3.1 document (the server's `GET /openapi.json`) read into what the
 * API reference page shows: operations grouped by tag, in the document's order,
 * each with its parameters, request body, responses and security, every `$ref`
 * followed. A field that is missing or malformed is left out, never an error.
 */
export interface ApiDocument {
  title: string;
  version: string;
  description: string;
  servers: { url: string; description: string }[];
  groups: TagGroup[];
}

export interface TagGroup {
  name: string;
  anchor: string;
  description: string;
  operations: OperationView[];
}

export interface OperationView {
  anchor: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  deprecated: boolean;
  parameters: ParameterView[];
  requestBody: { required: boolean; description: string; content: MediaView[] } | null;
  responses: ResponseView[];
  /** Ways to authenticate, any one of which is enough; empty: none needed. Null: the document says nothing. */
  security: string[] | null;
}

export interface ParameterView {
  name: string;
  location: string;
  required: boolean;
  description: string;
  schema: SchemaNode;
}

export interface MediaView {
  mediaType: string;
  schema: SchemaNode;
}

export interface ResponseView {
  status: string;
  description: string;
  headers: { name: string; description: string; schema: SchemaNode }[];
  content: MediaView[];
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const UNTAGGED = "Other";

/** `Chat completions` → `chat-completions`: an anchor that survives in a URL. */
export function slug(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "section"
  );
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function mediaViews(document: JsonObject, content: unknown): MediaView[] {
  return Object.entries(record(content) ?? {}).map(([mediaType, media]) => ({ mediaType, schema: schemaNode(document, record(media)?.schema) }));
}

function parameterViews(document: JsonObject, pathItem: JsonObject, operation: JsonObject): ParameterView[] {
  // Path-level parameters apply to every operation; an operation's own with the same name and place replace them.
  const byKey = new Map<string, ParameterView>();
  for (const raw of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    const parameter = dereference(document, raw);
    if (parameter === null || typeof parameter.name !== "string") continue;
    const location = text(parameter.in) || "query";
    byKey.set(`${location}:${parameter.name}`, {
      name: parameter.name,
      location,
      required: parameter.required === true || location === "path",
      description: text(parameter.description),
      schema: schemaNode(document, parameter.schema),
    });
  }
  return [...byKey.values()];
}

function responseViews(document: JsonObject, responses: unknown): ResponseView[] {
  return Object.entries(record(responses) ?? {}).map(([status, raw]) => {
    const response = dereference(document, raw) ?? {};
    const headers = Object.entries(record(response.headers) ?? {}).map(([name, header]) => {
      const resolved = dereference(document, header) ?? {};
      return { name, description: text(resolved.description), schema: schemaNode(document, resolved.schema) };
    });
    return { status, description: text(response.description), headers, content: mediaViews(document, response.content) };
  });
}

/** One security requirement as words: `bearerAuth` → "bearerAuth: HTTP bearer token (an API key)". */
function describeRequirement(document: JsonObject, requirement: JsonObject): string {
  const schemes = record(record(document.components)?.securitySchemes) ?? {};
  return Object.keys(requirement)
    .map((name) => {
      const scheme = dereference(document, schemes[name]) ?? {};
      const kind =
        scheme.type === "http"
          ? `HTTP ${text(scheme.scheme) || "authentication"}${text(scheme.scheme).toLowerCase() === "bearer" ? " token" : ""}`
          : scheme.type === "apiKey"
            ? `API key in the ${text(scheme.in)} "${text(scheme.name)}"`
            : text(scheme.type);
      const description = text(scheme.description);
      return [name, kind, description].filter((part) => part !== "").join(" — ");
    })
    .join(" and ");
}

function securityOf(document: JsonObject, operation: JsonObject): string[] | null {
  const requirements = Array.isArray(operation.security) ? operation.security : Array.isArray(document.security) ? document.security : null;
  if (requirements === null) return null;
  const described = requirements.map((requirement) => record(requirement) ?? {}).map((requirement) => describeRequirement(document, requirement));
  // An empty requirement ({}) among others makes authentication optional.
  return described.includes("") ? [] : described;
}

function operationView(document: JsonObject, path: string, method: string, pathItem: JsonObject, operation: JsonObject): OperationView {
  const body = dereference(document, operation.requestBody);
  return {
    anchor: slug(text(operation.operationId) || `${method} ${path}`),
    method: method.toUpperCase(),
    path,
    summary: text(operation.summary) || text(pathItem.summary),
    description: text(operation.description) || text(pathItem.description),
    deprecated: operation.deprecated === true,
    parameters: parameterViews(document, pathItem, operation),
    requestBody: body === null ? null : { required: body.required === true, description: text(body.description), content: mediaViews(document, body.content) },
    responses: responseViews(document, operation.responses),
    security: securityOf(document, operation),
  };
}

/** The page's view of `body`, or null when it is not an OpenAPI document (no `openapi` version, no `paths`). */
export function readOpenApi(body: unknown): ApiDocument | null {
  const document = record(body);
  if (document === null || typeof document.openapi !== "string" || record(document.paths) === null) return null;
  const info = record(document.info) ?? {};
  const declared = list(document.tags).map((tag) => record(tag) ?? {});
  const groups = new Map<string, TagGroup>();
  const group = (name: string) => {
    let found = groups.get(name);
    if (found === undefined) {
      const description = text(declared.find((tag) => tag.name === name)?.description);
      found = { name, anchor: `tag-${slug(name)}`, description, operations: [] };
      groups.set(name, found);
    }
    return found;
  };
  // Declared tags first, in the document's order; tags only operations name come after them.
  for (const tag of declared) if (typeof tag.name === "string") group(tag.name);
  for (const [path, rawItem] of Object.entries(record(document.paths)!)) {
    const pathItem = dereference(document, rawItem) ?? {};
    for (const method of METHODS) {
      const operation = record(pathItem[method]);
      if (operation === null) continue;
      const tags = list(operation.tags).filter((tag): tag is string => typeof tag === "string");
      group(tags[0] ?? UNTAGGED).operations.push(operationView(document, path, method, pathItem, operation));
    }
  }
  return {
    title: text(info.title) || "API",
    version: text(info.version),
    description: text(info.description),
    servers: list(document.servers)
      .map((server) => record(server) ?? {})
      .filter((server) => typeof server.url === "string")
      .map((server) => ({ url: text(server.url), description: text(server.description) })),
    groups: [...groups.values()].filter((found) => found.operations.length > 0),
  };
}
