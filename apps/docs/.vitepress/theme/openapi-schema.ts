/**
 * JSON Schemas of an OpenAPI 3.1 document (also 3.0's `nullable`) turned into a
 * tree the API reference can render: `$ref`s resolved (a schema already being
 * expanded above is shown by name, not expanded again, so recursive schemas end),
 * `allOf` merged, `oneOf`/`anyOf` kept as alternatives. Anything missing or
 * malformed reads as an untyped schema rather than an error.
 */
export type JsonObject = Record<string, unknown>;

export interface SchemaNode {
  /** What the reader sees as the type: "object", "string | null", "array of Message", "one of 2". */
  type: string;
  /** The `components.schemas` name it was defined under, if any. */
  name: string | null;
  description: string;
  format: string | null;
  /** Allowed values (`enum`, `const`), as JSON. */
  values: string[];
  defaultValue: string | null;
  /** Bounds and patterns, readable: "≥ 0", "≤ 2", "pattern ^sk_". */
  constraints: string[];
  properties: PropertyNode[];
  /** An array's items, or a map's values (`additionalProperties`). */
  items: SchemaNode | null;
  /** `oneOf` / `anyOf` alternatives. */
  variants: SchemaNode[];
  /** A `$ref` to a schema already being expanded above this node: not expanded again. */
  recursive: boolean;
}

export interface PropertyNode {
  name: string;
  required: boolean;
  schema: SchemaNode;
}

/** Deeper than any real request body; a bound on documents that nest without `$ref`s. */
const MAX_DEPTH = 24;

export function record(value: unknown): JsonObject | null {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

export function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The value a local `$ref` (`#/components/schemas/Model`) points to in `document`, or undefined. */
export function resolvePointer(document: JsonObject, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let value: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    value = record(value)?.[key];
    if (value === undefined) return undefined;
  }
  return value;
}

/** An object that may be a `$ref` (a parameter, response, header, request body), followed to its target. */
export function dereference(document: JsonObject, value: unknown): JsonObject | null {
  const seen = new Set<string>();
  let current = record(value);
  while (current !== null && typeof current.$ref === "string") {
    if (seen.has(current.$ref)) return null;
    seen.add(current.$ref);
    current = record(resolvePointer(document, current.$ref));
  }
  return current;
}

function emptyNode(type: string): SchemaNode {
  return {
    type,
    name: null,
    description: "",
    format: null,
    values: [],
    defaultValue: null,
    constraints: [],
    properties: [],
    items: null,
    variants: [],
    recursive: false,
  };
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function constraintsOf(schema: JsonObject): string[] {
  const found: string[] = [];
  const bound = (key: string, label: (value: unknown) => string) => {
    if (schema[key] !== undefined) found.push(label(schema[key]));
  };
  bound("minimum", (value) => `≥ ${value}`);
  bound("exclusiveMinimum", (value) => `> ${value}`);
  bound("maximum", (value) => `≤ ${value}`);
  bound("exclusiveMaximum", (value) => `< ${value}`);
  const count = (value: unknown, noun: string) => `${value} ${noun}${value === 1 ? "" : "s"}`;
  bound("minLength", (value) => `at least ${count(value, "character")}`);
  bound("maxLength", (value) => `at most ${count(value, "character")}`);
  bound("minItems", (value) => `at least ${count(value, "item")}`);
  bound("maxItems", (value) => `at most ${count(value, "item")}`);
  bound("pattern", (value) => `pattern ${value}`);
  return found;
}

function declaredTypes(schema: JsonObject): string[] {
  const types = Array.isArray(schema.type)
    ? schema.type.filter((type): type is string => typeof type === "string")
    : typeof schema.type === "string"
      ? [schema.type]
      : [];
  if (schema.nullable === true && !types.includes("null")) types.push("null");
  return types;
}

function label(node: SchemaNode): string {
  return node.name ?? node.type;
}

/** Merges `allOf` parts into one object: properties and required flags of all, the first description. */
function mergeAll(parts: SchemaNode[]): SchemaNode {
  const merged = emptyNode(parts.find((part) => part.type !== "any")?.type ?? "object");
  const byName = new Map<string, PropertyNode>();
  for (const part of parts) {
    merged.description ||= part.description;
    for (const property of part.properties)
      byName.set(property.name, { ...property, required: property.required || (byName.get(property.name)?.required ?? false) });
    merged.variants.push(...part.variants);
    merged.items ??= part.items;
  }
  merged.properties = [...byName.values()];
  if (parts.length === 1) merged.name = parts[0]!.name;
  return merged;
}

/** The tree of `raw` (a schema or a `$ref` to one); `refs` are the refs being expanded above it, `depth` its nesting. */
export function schemaNode(document: JsonObject, raw: unknown, refs: readonly string[] = [], depth = 0): SchemaNode {
  const schema = record(raw);
  if (schema === null) return emptyNode("any");
  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    const name = ref.startsWith("#/components/schemas/") ? ref.slice("#/components/schemas/".length) : ref;
    if (refs.includes(ref) || depth >= MAX_DEPTH) return { ...emptyNode("object"), name, recursive: true };
    const target = schemaNode(document, resolvePointer(document, ref), [...refs, ref], depth + 1);
    // 3.1 allows a description beside a $ref; it describes this use of the schema.
    return { ...target, name: target.name ?? name, description: text(schema.description) || target.description };
  }
  if (depth >= MAX_DEPTH) return emptyNode("any");
  const child = (value: unknown) => schemaNode(document, value, refs, depth + 1);
  const node = Array.isArray(schema.allOf) ? mergeAll(schema.allOf.map(child)) : emptyNode("any");
  node.description = text(schema.description) || node.description;
  node.format = typeof schema.format === "string" ? schema.format : null;
  node.constraints = constraintsOf(schema);
  if (Array.isArray(schema.enum)) node.values = schema.enum.map(json);
  if (schema.const !== undefined) node.values = [json(schema.const)];
  if (schema.default !== undefined) node.defaultValue = json(schema.default);

  const properties = record(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((name) => typeof name === "string") : []);
  if (properties !== null) {
    for (const [name, value] of Object.entries(properties)) node.properties.push({ name, required: required.has(name), schema: child(value) });
  }
  if (schema.items !== undefined) node.items = child(schema.items);
  const additional = record(schema.additionalProperties);
  if (additional !== null) node.items = child(additional);
  for (const key of ["oneOf", "anyOf"] as const) {
    const alternatives = schema[key];
    if (Array.isArray(alternatives)) node.variants.push(...alternatives.map(child));
  }

  const types = declaredTypes(schema);
  if (types.length > 0) node.type = types.map((type) => (type === "array" && node.items !== null ? `array of ${label(node.items)}` : type)).join(" | ");
  else if (node.variants.length > 0 && node.properties.length === 0) node.type = `one of ${node.variants.length}`;
  else if (node.properties.length > 0) node.type = "object";
  else if (node.items !== null) node.type = additional !== null ? `map of ${label(node.items)}` : `array of ${label(node.items)}`;
  if (types.includes("object") && additional !== null && node.properties.length === 0) node.type = `map of ${label(node.items!)}`;
  return node;
}

/** The node whose properties or alternatives a tree shows for `node`: itself, else its items' (an array of objects). */
export function structureOf(node: SchemaNode): SchemaNode | null {
  if (node.recursive) return null;
  if (node.properties.length > 0 || node.variants.length > 0) return node;
  return node.items === null ? null : structureOf(node.items);
}
