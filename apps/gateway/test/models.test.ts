import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

describe("GET /v1/models", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp({ credentials: { OPENAI_API_KEY: "sk-test-openai" } });
    ({ key } = await t.seedAccount());
  });
  afterAll(() => t?.dispose());

  it("lists the catalog with pricing, context length and availability", async () => {
    const response = await t.app.inject({ url: "/v1/models", headers: bearer(key) });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.object).toBe("list");
    expect(body.data.length).toBe(t.services.catalog.modelList.length);
    const gpt = body.data.find((model: { id: string }) => model.id === "openai/gpt-6-luna");
    expect(gpt).toMatchObject({
      object: "model",
      owned_by: "openai",
      context_length: 1050000,
      pricing: { currency: "USD", input_per_mtok: 0.1, output_per_mtok: 0.5, cache_read_per_mtok: 0.01, cache_write_per_mtok: 0.125 },
      available: true,
    });
    const claude = body.data.find((model: { id: string }) => model.id === "anthropic/claude-sonnet-5.5");
    expect(claude.available).toBe(false);
  });

  it("retrieves one model by an id containing a slash", async () => {
    const response = await t.app.inject({ url: "/v1/models/openai/gpt-6.2-sol", headers: bearer(key) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: "openai/gpt-6.2-sol", pricing: { input_per_mtok: 2, output_per_mtok: 10 } });
    const encoded = await t.app.inject({ url: "/v1/models/openai%2Fgpt-6.2-sol", headers: bearer(key) });
    expect(encoded.statusCode).toBe(200);
  });

  it("an unknown model → 404 model_not_found", async () => {
    const response = await t.app.inject({ url: "/v1/models/acme/nonexistent", headers: bearer(key) });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toMatchObject({ code: "model_not_found", type: "not_found_error", param: "model" });
  });

  it("needs a key like every gateway route", async () => {
    expect((await t.app.inject({ url: "/v1/models" })).statusCode).toBe(401);
  });

  it("unknown routes answer 404 in the envelope, with a request id", async () => {
    const response = await t.app.inject({ url: "/v2/nothing" });
    expect(response.statusCode).toBe(404);
    expect(response.headers["x-request-id"]).toMatch(/^req_/);
    expect(response.json().error.code).toBe("not_found");
  });
});
