import { builtinCatalog, CatalogError, formatMicros, parseCatalog, tokenCostMicros, usdToMicros } from "@bentoo/core";
import { describe, expect, it } from "vitest";

const provider = { id: "local", type: "openai", base_url: "http://127.0.0.1:11434/v1" };
const model = { id: "local/llama", provider: "local", upstream_model: "llama3", input_price_per_mtok: 0.5, output_price_per_mtok: 1.5, context_length: 8192 };

describe("catalog", () => {
  it("the built-in catalog holds real models with prices and context lengths", () => {
    const catalog = builtinCatalog();
    expect(catalog.modelList.length).toBeGreaterThanOrEqual(10);
    const luna = catalog.models.get("openai/gpt-6-luna")!;
    expect(luna).toMatchObject({ inputMicrosPerMtok: 100_000, outputMicrosPerMtok: 500_000, cacheReadMicrosPerMtok: 10_000, contextLength: 1_050_000 });
    expect(catalog.providers.get("openai")!.apiKeyEnv).toBe("OPENAI_API_KEY");
    expect(new Set(catalog.modelList.map((entry) => entry.ownedBy)).size).toBeGreaterThanOrEqual(4);
  });

  it("parses a catalog file, with fallback routes in order", () => {
    const catalog = parseCatalog({
      providers: [
        provider,
        {
          ...provider,
          id: "backup",
          base_url: "http://127.0.0.1:9999/v1/",
          api_key_env: "BACKUP_KEY",
          timeout_ms: 5000,
          max_retries: 0,
          max_retry_wait_ms: 250,
        },
      ],
      models: [model, { ...model, id: "multi", provider: undefined, providers: [{ provider: "local", upstream_model: "a" }, { provider: "backup" }] }],
    });
    expect(catalog.providers.get("backup")).toEqual({
      id: "backup",
      type: "openai",
      baseUrl: "http://127.0.0.1:9999/v1",
      apiKeyEnv: "BACKUP_KEY",
      timeoutMs: 5000,
      maxRetries: 0,
      maxRetryWaitMs: 250,
      outputLimitParam: "max_tokens",
    });
    expect(catalog.providers.get("local")).toMatchObject({ maxRetries: 2, maxRetryWaitMs: 5000 });
    expect(catalog.models.get("multi")!.routes).toEqual([
      { providerId: "local", upstreamModel: "a" },
      { providerId: "backup", upstreamModel: "multi" },
    ]);
    expect(catalog.models.get("local/llama")!.inputMicrosPerMtok).toBe(500_000);
  });

  it("reads the anthropic provider type and optional prompt-cache prices (null when absent)", () => {
    const catalog = parseCatalog({
      providers: [provider, { id: "claude", type: "anthropic", base_url: "https://api.anthropic.com/v1", api_key_env: "ANTHROPIC_API_KEY" }],
      models: [
        model,
        { ...model, id: "claude/sonnet", provider: "claude", input_price_per_mtok: 3, cache_read_price_per_mtok: 0.3, cache_write_price_per_mtok: 3.75 },
      ],
    });
    expect(catalog.providers.get("claude")!.type).toBe("anthropic");
    expect(catalog.models.get("claude/sonnet")).toMatchObject({
      inputMicrosPerMtok: 3_000_000,
      cacheReadMicrosPerMtok: 300_000,
      cacheWriteMicrosPerMtok: 3_750_000,
    });
    expect(catalog.models.get("local/llama")).toMatchObject({ cacheReadMicrosPerMtok: null, cacheWriteMicrosPerMtok: null });
  });

  it("accepts a native Gemini provider (type gemini)", () => {
    const gemini = { id: "google", type: "gemini", base_url: "https://generativelanguage.googleapis.com/v1beta/", api_key_env: "GEMINI_API_KEY" };
    const catalog = parseCatalog({ providers: [gemini], models: [{ ...model, id: "google/flash", provider: "google", upstream_model: "gemini-2.5-flash" }] });
    expect(catalog.providers.get("google")).toMatchObject({ type: "gemini", baseUrl: "https://generativelanguage.googleapis.com/v1beta" });
  });

  it.each([
    [{ providers: [], models: {} }, "models must be an array"],
    [
      { providers: [provider], models: [{ ...model, cache_read_price_per_mtok: "cheap" }] },
      "models[0].cache_read_price_per_mtok must be a non-negative number",
    ],
    [{ providers: [provider], models: [{ ...model, cache_write_price_per_mtok: -1 }] }, "models[0].cache_write_price_per_mtok must be a non-negative number"],
    [{ providers: [{ ...provider, type: "carrier-pigeon" }], models: [] }, 'providers[0].type "carrier-pigeon" is not supported'],
    [{ providers: [{ ...provider, max_retries: 11 }], models: [] }, "providers[0].max_retries must be an integer from 0 to 10"],
    [{ providers: [{ ...provider, base_url: "not a url" }], models: [] }, "providers[0].base_url"],
    [{ providers: [provider], models: [{ ...model, input_price_per_mtok: -1 }] }, "models[0].input_price_per_mtok must be a non-negative number"],
    [{ providers: [provider], models: [{ ...model, context_length: "big" }] }, "models[0].context_length must be a positive integer"],
    [{ providers: [provider], models: [{ ...model, provider: "nope" }] }, 'models[0].provider "nope" is not one of the catalog\'s providers'],
    [{ providers: [provider], models: [model, model] }, 'models[1].id "local/llama" appears twice'],
    [{ providers: [{ ...provider, api_key_env: "lower-case" }], models: [] }, "providers[0].api_key_env"],
  ])("names the bad field: %j", (document, message) => {
    expect(() => parseCatalog(document)).toThrow(CatalogError);
    expect(() => parseCatalog(document)).toThrow(message);
  });
});

describe("money in integer micro-dollars", () => {
  it("converts catalog prices exactly and rounds costs up to the next micro-dollar", () => {
    expect(usdToMicros(2.5)).toBe(2_500_000);
    expect(usdToMicros(0.15)).toBe(150_000);
    expect(tokenCostMicros(1_000_000, 2_500_000)).toBe(2_500_000);
    expect(tokenCostMicros(1, 150_000)).toBe(1); // 0.15 micros → 1
    expect(tokenCostMicros(7, 150_000)).toBe(2); // 1.05 → 2
    expect(tokenCostMicros(0, 150_000)).toBe(0);
    expect(tokenCostMicros(3_000_000, 10_000_000)).toBe(30_000_000);
    expect(formatMicros(1_234_567)).toBe("$1.234567");
    expect(formatMicros(-5)).toBe("-$0.000005");
  });

  describe("model kinds", () => {
    const gemini = { id: "google", type: "gemini", base_url: "https://generativelanguage.googleapis.com/v1beta" };
    const anthropic = { id: "claude", type: "anthropic", base_url: "https://api.anthropic.com/v1" };
    const embedding = { id: "local/embed", kind: "embedding", provider: "local", input_price_per_mtok: 0.02, context_length: 8191, dimensions: 1536 };
    const parse = (models: unknown[]) => parseCatalog({ providers: [provider, gemini, anthropic], models });

    it("a model is a chat model unless its kind says embedding; an embedding model needs no output price", () => {
      const catalog = parse([model, embedding, { ...embedding, id: "g/embed", provider: "google", min_dimensions: 128, output_price_per_mtok: 0 }]);
      expect(catalog.models.get("local/llama")).toMatchObject({ kind: "chat", dimensions: null });
      expect(catalog.models.get("local/embed")).toMatchObject({
        kind: "embedding",
        outputMicrosPerMtok: 0,
        inputMicrosPerMtok: 20_000,
        dimensions: { default: 1536, min: null },
      });
      expect(catalog.models.get("g/embed")!.dimensions).toEqual({ default: 1536, min: 128 });
    });

    it("refuses what does not fit a kind, naming the field", () => {
      expect(() => parse([{ ...model, kind: "image" }])).toThrow(/models\[0\]\.kind "image" is not a model kind; use one of: chat, embedding/);
      expect(() => parse([{ ...embedding, provider: "claude" }])).toThrow(
        /models\[0\]\.provider "claude" is of type "anthropic", which cannot serve embedding models/,
      );
      expect(() => parse([{ ...embedding, provider: undefined, providers: [{ provider: "local" }, { provider: "claude" }] }])).toThrow(
        /models\[0\]\.providers\[1\]\.provider "claude"/,
      );
      expect(() => parse([{ ...embedding, dimensions: undefined }])).toThrow(/models\[0\]\.dimensions must be a positive integer for an embedding model/);
      expect(() => parse([{ ...embedding, min_dimensions: 2048 }])).toThrow(/min_dimensions must not exceed/);
      expect(() => parse([{ ...embedding, max_output_tokens: 10 }])).toThrow(/max_output_tokens applies only to chat models/);
      expect(() => parse([{ ...model, dimensions: 10 }])).toThrow(/dimensions applies only to embedding models/);
      expect(() => parse([{ ...model, output_price_per_mtok: undefined }])).toThrow(/output_price_per_mtok must be a non-negative number/);
    });

    it("the built-in catalog's embedding models route to providers that embed", () => {
      const catalog = builtinCatalog();
      const embeddings = catalog.modelList.filter((entry) => entry.kind === "embedding").map((entry) => entry.id);
      expect(embeddings).toEqual(["openai/text-embedding-3-small", "openai/text-embedding-3-large", "google/gemini-embedding-001", "mistral/mistral-embed"]);
      expect(catalog.models.get("openai/text-embedding-3-small")).toMatchObject({
        inputMicrosPerMtok: 20_000,
        contextLength: 8191,
        dimensions: { default: 1536, min: 1 },
      });
    });
  });
});
