import { BUILTIN_CATALOG_DOCUMENT, builtinCatalog, type CatalogModel, parseCatalog } from "@bentoo/core";
import { describe, expect, it } from "vitest";

/**
 * The prompt-cache prices each built-in provider publishes (docs/catalog.md, "The built-in
 * catalog"): a model of these providers must carry them, a model of another provider must not
 * pretend to a discount its provider does not list.
 */
const PUBLISHED_CACHE_PRICES: Record<string, { read: boolean; write: boolean }> = {
  openai: { read: true, write: true },
  anthropic: { read: true, write: true },
  google: { read: true, write: false },
  deepseek: { read: true, write: false },
  xai: { read: true, write: false },
  mistral: { read: false, write: false },
  groq: { read: false, write: false },
};

const providerOf = (model: CatalogModel) => model.routes[0]!.providerId;

describe("the built-in catalog", () => {
  const catalog = builtinCatalog();

  it("is a catalog file like any other: its document survives JSON and parses to the same catalog", () => {
    const reparsed = parseCatalog(JSON.parse(JSON.stringify(BUILTIN_CATALOG_DOCUMENT)));
    expect(reparsed.modelList).toEqual(catalog.modelList);
    expect([...reparsed.providers.values()]).toEqual([...catalog.providers.values()]);
  });

  it("reaches Anthropic and Google through their native APIs, the others through Chat Completions", () => {
    expect(catalog.providers.get("anthropic")).toMatchObject({ type: "anthropic", baseUrl: "https://api.anthropic.com/v1", apiKeyEnv: "ANTHROPIC_API_KEY" });
    expect(catalog.providers.get("google")).toMatchObject({
      type: "gemini",
      baseUrl: "https://generativelanguage.googleapis.com/v1beta",
      apiKeyEnv: "GEMINI_API_KEY",
    });
    for (const id of ["openai", "mistral", "deepseek", "xai", "groq"]) expect(catalog.providers.get(id)?.type, id).toBe("openai");
    // OpenAI's reasoning models refuse max_tokens.
    expect(catalog.providers.get("openai")!.outputLimitParam).toBe("max_completion_tokens");
    expect(catalog.providers.get("xai")).toMatchObject({ baseUrl: "https://api.x.ai/v1", apiKeyEnv: "XAI_API_KEY" });
  });

  it("lists models of every provider it names, each id in vendor/name form and routed to a provider of the catalog", () => {
    expect(new Set(catalog.modelList.map(providerOf))).toEqual(new Set(catalog.providers.keys()));
    for (const model of catalog.modelList) {
      expect(model.id, model.id).toMatch(/^[a-z0-9-]+\/[a-z0-9.-]+$/);
      expect(model.routes, model.id).toHaveLength(1);
    }
  });

  const chatModels = catalog.modelList.filter((model) => model.kind === "chat");

  it("gives every chat model the cache prices its provider publishes, cheaper reads and dearer writes than fresh input", () => {
    for (const model of chatModels) {
      const published = PUBLISHED_CACHE_PRICES[providerOf(model)];
      expect(published, `${model.id}: a provider the test does not know`).toBeDefined();
      expect(model.cacheReadMicrosPerMtok !== null, `${model.id} cache read price`).toBe(published!.read);
      expect(model.cacheWriteMicrosPerMtok !== null, `${model.id} cache write price`).toBe(published!.write);
      if (model.cacheReadMicrosPerMtok !== null) {
        expect(model.cacheReadMicrosPerMtok, model.id).toBeGreaterThan(0);
        expect(model.cacheReadMicrosPerMtok, model.id).toBeLessThan(model.inputMicrosPerMtok);
      }
      if (model.cacheWriteMicrosPerMtok !== null) expect(model.cacheWriteMicrosPerMtok, model.id).toBeGreaterThan(model.inputMicrosPerMtok);
    }
  });

  it("prices every chat model and keeps each output cap inside its context", () => {
    for (const model of chatModels) {
      expect(model.inputMicrosPerMtok, model.id).toBeGreaterThan(0);
      expect(model.outputMicrosPerMtok, model.id).toBeGreaterThanOrEqual(model.inputMicrosPerMtok);
      if (model.maxOutputTokens !== null) expect(model.maxOutputTokens, model.id).toBeLessThan(model.contextLength);
    }
  });

  it("prices every embedding model's input, with its vector sizes and no output price or cache prices", () => {
    const embeddings = catalog.modelList.filter((model) => model.kind === "embedding");
    expect(embeddings.map((model) => model.id)).toEqual([
      "openai/text-embedding-3-small",
      "openai/text-embedding-3-large",
      "google/gemini-embedding-001",
      "mistral/mistral-embed",
    ]);
    for (const model of embeddings) {
      expect(model.inputMicrosPerMtok, model.id).toBeGreaterThan(0);
      expect([model.outputMicrosPerMtok, model.cacheReadMicrosPerMtok, model.cacheWriteMicrosPerMtok, model.maxOutputTokens], model.id).toEqual([
        0,
        null,
        null,
        null,
      ]);
      expect(model.dimensions!.default, model.id).toBeGreaterThanOrEqual(model.dimensions!.min ?? 0);
    }
  });
});
