import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

/**
 * The admin API's and the Audit API's route schemas: requests they refuse (a
 * 400 `invalid_request` naming the parameter, before the handler runs), values
 * they let through as before (an empty query value, a roll without a body), and
 * real answers validated against the schemas the served documents describe, so
 * that an answer drifting from its documentation fails here.
 */

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents and answers are read loosely here.
type Json = Record<string, any>;
type Method = "GET" | "POST" | "PATCH" | "DELETE";

describe("the admin and Audit API schemas", () => {
  let t: TestApp;
  let adminDocument: Json;
  let apiDocument: Json;
  let accountId: string;
  /** A key of the account with the `audit:read` scope. */
  let auditKey: string;

  const admin = (method: Method, url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: bearer(ADMIN_TOKEN), ...(payload === undefined ? {} : { payload: payload as object }) });

  /** Asserts a 400 `invalid_request` naming `param`; returns its message. */
  function refused(response: Awaited<ReturnType<typeof admin>>, param: string | null): string {
    expect(response.statusCode, response.body).toBe(400);
    const { error } = response.json() as Json;
    expect(error).toMatchObject({ code: "invalid_request", type: "invalid_request_error", param });
    return error.message as string;
  }

  /** A validator for a schema of a served document, with the document's components in reach of its `$ref`s. */
  function validatorFor(document: Json, schema: Json) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema({ components: document.components }, "document.json");
    return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"document.json#/components/')));
  }

  /** Validates an answer against the schema its operation documents for its status; returns its body. */
  function expectDocumented(document: Json, path: string, method: string, response: Awaited<ReturnType<typeof admin>>): Json {
    const documented = document.paths[path]?.[method]?.responses?.[String(response.statusCode)];
    expect(documented, `${method.toUpperCase()} ${path} documents no ${response.statusCode} answer`).toBeDefined();
    const validate = validatorFor(document, documented.content["application/json"].schema);
    const body = response.json() as Json;
    expect(validate(body), `${method.toUpperCase()} ${path} → ${JSON.stringify(validate.errors)}`).toBe(true);
    return body;
  }

  beforeAll(async () => {
    t = await createTestApp({ adminToken: ADMIN_TOKEN, env: { BENTOO_WEBHOOKS_ALLOW_PRIVATE: "true" } });
    adminDocument = (await admin("GET", "/admin/v1/openapi.json")).json();
    apiDocument = (await t.app.inject({ url: "/openapi.json" })).json();
    const seeded = await t.seedAccount({ scopes: ["inference", "audit:read"] });
    accountId = seeded.account.id;
    auditKey = seeded.key;
  });
  afterAll(() => t?.dispose());

  describe("refuse what the handlers refuse, naming the parameter", () => {
    it("bodies are JSON, never coerced: a wrong type names its member", async () => {
      expect(refused(await admin("POST", "/admin/v1/accounts", { email: 5 }), "email")).toBe("email must be a string.");
      expect(refused(await admin("PATCH", `/admin/v1/accounts/${accountId}`, { rpm_limit: "60" }), "rpm_limit")).toContain("rpm_limit must be an integer");
      expect(refused(await admin("POST", `/admin/v1/accounts/${accountId}/credits`, {}), "amount_micros")).toBe(
        "amount_micros is required. Send a non-zero integer of micro-dollars (1 USD = 1000000); a negative amount is a debit.",
      );
      expect(refused(await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name: "ci", mode: "staging" }), "mode")).toBe(
        'mode must be one of "live", "test".',
      );
      expect(
        refused(await admin("POST", `/admin/v1/accounts/${accountId}/webhooks`, { url: "http://127.0.0.1:9/hook", event_types: "key.created" }), "event_types"),
      ).toContain("Send a non-empty list of event types: key.created,");
      // Nothing was created by the refused requests.
      expect((await admin("GET", `/admin/v1/accounts/${accountId}/keys`)).json().data).toHaveLength(1);
      expect((await admin("GET", `/admin/v1/accounts/${accountId}/webhooks`)).json().data).toEqual([]);
    });

    it("bodies are strict: an unknown member, nested ones included, is named with what the object accepts", async () => {
      const { id } = (await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name: "strict", mode: "test" })).json();
      expect(refused(await admin("PATCH", `/admin/v1/keys/${id}`, { spend_cap: { amount_micros: 5, period: "day", note: "x" } }), "spend_cap.note")).toBe(
        "Unknown parameter: spend_cap.note. spend_cap accepts: amount_micros, period.",
      );
      expect(refused(await admin("POST", `/admin/v1/keys/${id}/roll`, { grace_seconds: 60, keep: true }), "keep")).toBe(
        "Unknown parameter: keep. This endpoint accepts: grace_seconds.",
      );
      expect(refused(await admin("POST", `/admin/v1/keys/${id}/roll`, { grace_seconds: -1 }), "grace_seconds")).toContain("grace_seconds must be >= 0");
      expect(refused(await admin("POST", `/admin/v1/keys/${id}/roll`, [60]), null)).toContain("The request body must be a JSON object");
      expect((await admin("GET", `/admin/v1/keys/${id}`)).json()).toMatchObject({ status: "active", spend_cap: null });
    });

    it("query strings are text: numbers are read as numbers, checked against their range, and empty values are absent", async () => {
      expect(refused(await admin("GET", "/admin/v1/accounts?limit=0"), "limit")).toBe("limit must be >= 1. Send an integer from 1 to 1000.");
      expect(refused(await admin("GET", `/admin/v1/accounts/${accountId}/keys?limit=ten`), "limit")).toContain("limit must be an integer");
      const page = await admin("GET", `/admin/v1/accounts/${accountId}/keys?limit=1`);
      expect(page.statusCode).toBe(200);
      expect(page.json()).toMatchObject({ object: "list", has_more: true });
      expect(page.json().data).toHaveLength(1);
      const defaults = await admin("GET", `/admin/v1/accounts/${accountId}/keys?limit=&cursor=`);
      expect(defaults.statusCode, defaults.body).toBe(200);
      expect(defaults.json().data.length).toBeGreaterThan(1);

      const audit = (query: string) => t.app.inject({ url: `/v1/audit/logs${query}`, headers: bearer(auditKey) });
      expect(refused(await audit("?order=sideways"), "order")).toBe('order must be one of "asc", "desc".');
      expect(refused(await audit("?status=200&status=201"), "status")).toContain("status must be an integer");
      expect(refused(await audit("?model=a&model=b"), "model")).toBe("model must be a string. Give it once.");
      expect(refused(await audit("?endpoint=chat"), "endpoint")).toContain("Send a route path such as /v1/chat/completions.");
      expect((await audit("?status=&model=&order=&limit=")).statusCode).toBe(200);
      const exported = await t.app.inject({ url: "/v1/audit/logs/export?format=xml", headers: bearer(auditKey) });
      expect(refused(exported, "format")).toBe('format must be one of "jsonl", "csv".');
    });

    it("a key without the audit:read scope is refused before its query string is read", async () => {
      const { key } = await t.seedAccount({ scopes: ["inference"] });
      const response = await t.app.inject({ url: "/v1/audit/logs?limit=0", headers: bearer(key) });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe("insufficient_scope");
    });
  });

  describe("answer as documented", () => {
    it("accounts and credits", async () => {
      const created = await admin("POST", "/admin/v1/accounts", { email: `documented-${Date.now()}@example.com`, plan: null, password: null });
      expect(created.statusCode, created.body).toBe(201);
      const account = expectDocumented(adminDocument, "/admin/v1/accounts", "post", created);
      expect(account.plan).toBe("free");
      expectDocumented(adminDocument, "/admin/v1/accounts", "get", await admin("GET", "/admin/v1/accounts?limit=2"));
      const changed = await admin("PATCH", `/admin/v1/accounts/${account.id}`, { rpm_limit: 60, low_balance_threshold_micros: null });
      expect(expectDocumented(adminDocument, "/admin/v1/accounts/{id}", "patch", changed).rpm_limit).toBe(60);
      const granted = await admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: 2_000_000, allow_negative: null });
      expect(expectDocumented(adminDocument, "/admin/v1/accounts/{id}/credits", "post", granted).balance_micros).toBe(2_000_000);
      const debit = await admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: -3_000_000 });
      expect(expectDocumented(adminDocument, "/admin/v1/accounts/{id}/credits", "post", debit).error.code).toBe("debit_exceeds_balance");
      const missing = await admin("GET", "/admin/v1/accounts/acct_00000000000000000000");
      expect(expectDocumented(adminDocument, "/admin/v1/accounts/{id}", "get", missing).error.code).toBe("account_not_found");
    });

    it("keys: issued, listed, changed, rolled (with and without a body) and revoked", async () => {
      const issued = await admin("POST", `/admin/v1/accounts/${accountId}/keys`, {
        name: "documented",
        mode: "test",
        scopes: ["inference", "audit:read"],
        spend_cap: { amount_micros: 1_000_000, period: "month" },
        expires_at: null,
      });
      expect(issued.statusCode, issued.body).toBe(201);
      const key = expectDocumented(adminDocument, "/admin/v1/accounts/{id}/keys", "post", issued);
      expect(key.key).toMatch(/^btoo_sk_test_/);
      expectDocumented(adminDocument, "/admin/v1/accounts/{id}/keys", "get", await admin("GET", `/admin/v1/accounts/${accountId}/keys`));
      expectDocumented(adminDocument, "/admin/v1/keys/{id}", "patch", await admin("PATCH", `/admin/v1/keys/${key.id}`, { name: "renamed", models: null }));
      const rolled = await admin("POST", `/admin/v1/keys/${key.id}/roll`, { grace_seconds: 3600 });
      expect(rolled.statusCode, rolled.body).toBe(201);
      const replacement = expectDocumented(adminDocument, "/admin/v1/keys/{id}/roll", "post", rolled);
      expect(replacement.previous_key.id).toBe(key.id);
      const again = await admin("POST", `/admin/v1/keys/${key.id}/roll`, { grace_seconds: 3600 });
      expect(expectDocumented(adminDocument, "/admin/v1/keys/{id}/roll", "post", again).error.code).toBe("key_already_rolled");
      // No body at all: the old key ends at once.
      const bare = await admin("POST", `/admin/v1/keys/${replacement.id}/roll`);
      expect(bare.statusCode, bare.body).toBe(201);
      expect(expectDocumented(adminDocument, "/admin/v1/keys/{id}/roll", "post", bare).previous_key.status).toBe("revoked");
      const revoked = await admin("DELETE", `/admin/v1/keys/${bare.json().id}`);
      expect(expectDocumented(adminDocument, "/admin/v1/keys/{id}", "delete", revoked).status).toBe("revoked");
    });

    it("webhooks: the admin mount's paths take the account's id", async () => {
      const base = `/admin/v1/accounts/${accountId}/webhooks`;
      const created = await admin("POST", base, { url: "http://127.0.0.1:9/hook", event_types: ["key.created"], enabled: null, description: null });
      expect(created.statusCode, created.body).toBe(201);
      const endpoint = expectDocumented(adminDocument, "/admin/v1/accounts/{id}/webhooks", "post", created);
      expect(endpoint.secret).toMatch(/^whsec_/);
      expectDocumented(adminDocument, "/admin/v1/accounts/{id}/webhooks", "get", await admin("GET", base));
      await admin("POST", `/admin/v1/accounts/${accountId}/keys`, { name: "raises key.created", mode: "test" });
      await t.services.records.flush();
      const deliveries = await admin("GET", `${base}/${endpoint.id}/deliveries?limit=5`);
      const page = expectDocumented(adminDocument, "/admin/v1/accounts/{id}/webhooks/{webhook_id}/deliveries", "get", deliveries);
      expect(page.data.length).toBeGreaterThanOrEqual(1);
      const rolled = await admin("POST", `${base}/${endpoint.id}/roll-secret`);
      expect(expectDocumented(adminDocument, "/admin/v1/accounts/{id}/webhooks/{webhook_id}/roll-secret", "post", rolled).secret).not.toBe(endpoint.secret);
      const unknownDelivery = await admin("POST", `${base}/${endpoint.id}/deliveries/dlv_00000000000000000000/redeliver`);
      expect(
        expectDocumented(adminDocument, "/admin/v1/accounts/{id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", "post", unknownDelivery).error.code,
      ).toBe("webhook_delivery_not_found");
      const deleted = await admin("DELETE", `${base}/${endpoint.id}`);
      expect(expectDocumented(adminDocument, "/admin/v1/accounts/{id}/webhooks/{webhook_id}", "delete", deleted)).toEqual({
        id: endpoint.id,
        object: "webhook_endpoint",
        deleted: true,
      });
      // The document names the account's id as a path parameter of every webhook route.
      for (const [path, item] of Object.entries(adminDocument.paths as Json).filter(([path]) => path.includes("/webhooks"))) {
        for (const operation of Object.values(item as Json))
          expect(
            (operation as Json).parameters.map((parameter: Json) => parameter.name),
            path,
          ).toContain("id");
      }
    });

    it("audit: a page of records, and the export's two formats", async () => {
      await t.services.records.flush();
      const page = await t.app.inject({ url: "/v1/audit/logs?limit=50&order=desc", headers: bearer(auditKey) });
      const body = expectDocumented(apiDocument, "/v1/audit/logs", "get", page);
      expect(body.data.length).toBeGreaterThan(3);
      expect(body.data.map((record: Json) => record.event)).toContain("key.created");
      const content = apiDocument.paths["/v1/audit/logs/export"].get.responses["200"].content;
      expect(Object.keys(content).sort()).toEqual(["application/x-ndjson", "text/csv"]);
      for (const [format, type] of [
        ["jsonl", "application/x-ndjson"],
        ["csv", "text/csv"],
      ]) {
        const exported = await t.app.inject({ url: `/v1/audit/logs/export?format=${format}`, headers: bearer(auditKey) });
        expect(exported.statusCode).toBe(200);
        expect(exported.headers["content-type"]).toContain(type);
        expect(exported.headers["content-disposition"]).toMatch(new RegExp(`^attachment; filename="bentoo-audit-.+\\.${format}"$`));
      }
      // Each JSONL line is an AuditRecord as the document describes it (the range ends now, exclusive: let a millisecond pass).
      t.clock.advance(1);
      const record = validatorFor(apiDocument, { $ref: "#/components/schemas/AuditRecord" });
      const lines = (await t.app.inject({ url: "/v1/audit/logs/export", headers: bearer(auditKey) })).body.trimEnd().split("\n");
      expect(lines.length).toBeGreaterThanOrEqual(body.data.length);
      for (const line of lines) expect(record(JSON.parse(line)), JSON.stringify(record.errors)).toBe(true);
    });
  });
});
