import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readOpenApi } from "../.vitepress/theme/openapi";
import { type SchemaNode, schemaNode, structureOf } from "../.vitepress/theme/openapi-schema";

const SAMPLE = JSON.parse(readFileSync(new URL("./fixtures/openapi.json", import.meta.url), "utf8")) as Record<string, unknown>;

function property(node: SchemaNode, name: string): SchemaNode {
  const found = structureOf(node)?.properties.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no property ${name}`);
  return found.schema;
}

describe("readOpenApi", () => {
  const api = readOpenApi(SAMPLE)!;

  it("groups operations by their first tag, declared tags first in the document's order, untagged last", () => {
    expect(api.title).toBe("Bentoo API");
    expect(api.version).toBe("1.0.0");
    expect(api.servers).toEqual([{ url: "https://bentoo.example.com", description: "this server" }]);
    expect(api.groups.map((group) => [group.name, group.anchor, group.operations.map((operation) => `${operation.method} ${operation.path}`)])).toEqual([
      ["Chat", "tag-chat", ["POST /v1/chat/completions"]],
      ["Models", "tag-models", ["GET /v1/models", "GET /v1/models/{model}"]],
      ["Keys", "tag-keys", ["GET /v1/key"]],
      ["Other", "tag-other", ["GET /healthz"]],
    ]);
  });

  it("reads an operation's parameters (path-level and $ref'd), body, responses with headers, and security", () => {
    const chat = api.groups[0]!.operations[0]!;
    expect(chat.anchor).toBe("createchatcompletion");
    expect(chat.summary).toBe("Create a chat completion");
    expect(chat.parameters.map((parameter) => [parameter.name, parameter.location, parameter.required, parameter.schema.constraints])).toEqual([
      ["Idempotency-Key", "header", false, ["at most 255 characters"]],
    ]);
    expect(chat.requestBody?.required).toBe(true);
    const body = chat.requestBody!.content[0]!;
    expect([body.mediaType, body.schema.name]).toEqual(["application/json", "ChatCompletionRequest"]);
    expect(chat.responses.map((response) => [response.status, response.description])).toEqual([
      ["200", "The completion (or, with `stream`, its events)."],
      ["400", "The request is malformed; `error.param` names the field."],
      ["401", "No key, or a key that is unknown, revoked or expired."],
      ["429", "Too many requests or tokens this minute."],
    ]);
    expect(chat.responses[0]!.headers.map((header) => [header.name, header.schema.type])).toEqual([
      ["x-ratelimit-remaining-requests", "integer"],
      ["x-request-id", "string"],
    ]);
    expect(chat.responses[3]!.headers[0]!.description).toBe("Seconds to wait before retrying.");
    expect(chat.responses[0]!.content.map((media) => media.mediaType)).toEqual(["application/json", "text/event-stream"]);
    expect(chat.security).toEqual(["bearerAuth — HTTP bearer token — Your API key, btoo_sk_live_… or btoo_sk_test_…"]);
    const retrieve = api.groups[1]!.operations[1]!;
    expect(retrieve.parameters.map((parameter) => [parameter.name, parameter.location, parameter.required])).toEqual([["model", "path", true]]);
    expect(api.groups[3]!.operations[0]!.security).toEqual([]);
  });

  it("resolves $refs into a property tree: required flags, enums, bounds, nullable types, maps, alternatives, merged allOf", () => {
    const request = api.groups[0]!.operations[0]!.requestBody!.content[0]!.schema;
    expect(structureOf(request)!.properties.map((entry) => [entry.name, entry.required, entry.schema.type])).toEqual([
      ["model", true, "string"],
      ["messages", true, "array of Message"],
      ["stream", false, "boolean"],
      ["temperature", false, "number"],
      ["max_tokens", false, "integer | null"],
      ["tools", false, "array of Tool"],
      ["metadata", false, "map of string"],
    ]);
    expect(property(request, "stream").defaultValue).toBe("false");
    expect(property(request, "temperature").constraints).toEqual(["≥ 0", "≤ 2"]);
    const messages = property(request, "messages");
    expect(messages.constraints).toEqual(["at least 1 item"]);
    expect(property(messages, "role").values).toEqual(['"system"', '"user"', '"assistant"', '"tool"']);
    const content = property(messages, "content");
    expect([content.type, content.variants.map((variant) => variant.type)]).toEqual(["one of 2", ["string", "array of ContentPart"]]);
    const completion = api.groups[0]!.operations[0]!.responses[0]!.content[0]!.schema;
    expect(structureOf(completion)!.properties.map((entry) => [entry.name, entry.required])).toEqual([
      ["id", true],
      ["object", false],
      ["choices", false],
      ["usage", false],
    ]);
    expect(property(property(property(completion, "choices"), "message"), "role").type).toBe("string");
  });

  it("stops at a schema that refers to itself: shown by name, not expanded again", () => {
    const tools = property(api.groups[0]!.operations[0]!.requestBody!.content[0]!.schema, "tools");
    const parameters = property(property(tools, "function"), "parameters");
    expect([parameters.name, parameters.recursive, parameters.description]).toEqual([
      "JsonSchema",
      false,
      "A JSON Schema; its properties are JSON Schemas too.",
    ]);
    const items = property(parameters, "items");
    expect([items.name, items.recursive, structureOf(items)]).toEqual(["JsonSchema", true, null]);
    expect(property(parameters, "properties").type).toBe("map of JsonSchema");
    const looping = { openapi: "3.1.0", components: { schemas: { A: { $ref: "#/components/schemas/B" }, B: { $ref: "#/components/schemas/A" } } } };
    expect(schemaNode(looping, { $ref: "#/components/schemas/A" }).recursive).toBe(true);
  });

  it("takes a document with fields missing or malformed without failing, and refuses what is not one", () => {
    expect(readOpenApi(null)).toBeNull();
    expect(readOpenApi({ error: { message: "not found" } })).toBeNull();
    expect(readOpenApi({ openapi: "3.1.0" })).toBeNull();
    const sparse = readOpenApi({
      openapi: "3.1.0",
      tags: "not a list",
      paths: {
        "/a": { get: {} },
        "/b": {
          post: { parameters: [{ $ref: "#/nowhere" }, 42, { in: "query" }], requestBody: { content: { "application/json": {} } }, responses: { default: 7 } },
        },
        "/c": "nonsense",
      },
    })!;
    expect(sparse.title).toBe("API");
    expect(sparse.groups).toHaveLength(1);
    const [first, second] = sparse.groups[0]!.operations;
    expect([first!.method, first!.path, first!.anchor, first!.security, first!.responses]).toEqual(["GET", "/a", "get-a", null, []]);
    expect(second!.parameters).toEqual([]);
    expect(second!.requestBody!.content[0]!.schema.type).toBe("any");
    expect(second!.responses).toEqual([{ status: "default", description: "", headers: [], content: [] }]);
  });
});
