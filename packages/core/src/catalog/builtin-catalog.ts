import { parseCatalog } from "./parse-catalog.js";
import type { Catalog } from "./types.js";

/**
 * The catalog Bentoo ships with: each provider's current chat models, and the
 * embedding models of OpenAI, Google and Mistral (input prices only), at their
 * list prices (USD per million tokens, prompt-cache prices included where the
 * provider publishes them), as checked on each provider's pages on the date
 * docs/catalog.md records ("The built-in catalog"), with the sources used.
 * Anthropic and Google are reached through their native APIs (provider types
 * `anthropic` and `gemini`); OpenAI, Mistral, DeepSeek, xAI and Groq speak
 * Chat Completions. Tiered prices are the base tier (see docs/catalog.md). A
 * provider is usable once its `api_key_env` is set; test keys use the sandbox
 * for every model. Operators replace the whole catalog with BENTOO_CATALOG.
 */
export const BUILTIN_CATALOG_DOCUMENT = {
  // biome-ignore format: one provider per line keeps the list readable as a table
  providers: [
    { id: "openai", type: "openai", base_url: "https://api.openai.com/v1", api_key_env: "OPENAI_API_KEY", output_limit_param: "max_completion_tokens" },
    { id: "anthropic", type: "anthropic", base_url: "https://api.anthropic.com/v1", api_key_env: "ANTHROPIC_API_KEY" },
    { id: "google", type: "gemini", base_url: "https://generativelanguage.googleapis.com/v1beta", api_key_env: "GEMINI_API_KEY" },
    { id: "mistral", type: "openai", base_url: "https://api.mistral.ai/v1", api_key_env: "MISTRAL_API_KEY" },
    { id: "deepseek", type: "openai", base_url: "https://api.deepseek.com/v1", api_key_env: "DEEPSEEK_API_KEY" },
    { id: "xai", type: "openai", base_url: "https://api.x.ai/v1", api_key_env: "XAI_API_KEY" },
    { id: "groq", type: "openai", base_url: "https://api.groq.com/openai/v1", api_key_env: "GROQ_API_KEY" },
  ],
  // biome-ignore format: one model per line keeps the price list readable as a table
  models: [
    { id: "openai/gpt-6.2-astra", provider: "openai", upstream_model: "gpt-6.2-astra", input_price_per_mtok: 8, output_price_per_mtok: 40, cache_read_price_per_mtok: 0.4, cache_write_price_per_mtok: 10, context_length: 1050000, max_output_tokens: 128000 },
    { id: "openai/gpt-6.2-sol", provider: "openai", upstream_model: "gpt-6.2-sol", input_price_per_mtok: 2, output_price_per_mtok: 10, cache_read_price_per_mtok: 0.1, cache_write_price_per_mtok: 2.5, context_length: 1050000, max_output_tokens: 128000 },
    { id: "openai/gpt-6.1-terra", provider: "openai", upstream_model: "gpt-6.1-terra", input_price_per_mtok: 1, output_price_per_mtok: 5, cache_read_price_per_mtok: 0.05, cache_write_price_per_mtok: 1.25, context_length: 1050000, max_output_tokens: 128000 },
    { id: "openai/gpt-6-luna", provider: "openai", upstream_model: "gpt-6-luna", input_price_per_mtok: 0.1, output_price_per_mtok: 0.5, cache_read_price_per_mtok: 0.01, cache_write_price_per_mtok: 0.125, context_length: 1050000, max_output_tokens: 128000 },
    { id: "anthropic/claude-fable-5.2", provider: "anthropic", upstream_model: "claude-fable-5-2", input_price_per_mtok: 8, output_price_per_mtok: 40, cache_read_price_per_mtok: 0.2, cache_write_price_per_mtok: 10, context_length: 1000000, max_output_tokens: 128000 },
    { id: "anthropic/claude-opus-5.5", provider: "anthropic", upstream_model: "claude-opus-5-5", input_price_per_mtok: 4, output_price_per_mtok: 20, cache_read_price_per_mtok: 0.2, cache_write_price_per_mtok: 5, context_length: 1000000, max_output_tokens: 128000 },
    { id: "anthropic/claude-sonnet-5.5", provider: "anthropic", upstream_model: "claude-sonnet-5-5", input_price_per_mtok: 2, output_price_per_mtok: 10, cache_read_price_per_mtok: 0.1, cache_write_price_per_mtok: 2.5, context_length: 1000000, max_output_tokens: 128000 },
    { id: "anthropic/claude-haiku-5.5", provider: "anthropic", upstream_model: "claude-haiku-5-5", input_price_per_mtok: 0.1, output_price_per_mtok: 0.5, cache_read_price_per_mtok: 0.01, cache_write_price_per_mtok: 0.125, context_length: 1000000, max_output_tokens: 128000 },
    { id: "google/gemini-4-carbon", provider: "google", upstream_model: "gemini-4-carbon", input_price_per_mtok: 4, output_price_per_mtok: 20, cache_read_price_per_mtok: 0.2, context_length: 1048576, max_output_tokens: 65536 },
    { id: "google/gemini-4-neon", provider: "google", upstream_model: "gemini-4-neon", input_price_per_mtok: 3, output_price_per_mtok: 15, cache_read_price_per_mtok: 0.15, context_length: 1048576, max_output_tokens: 65536 },
    { id: "google/gemini-4-hydrogen", provider: "google", upstream_model: "gemini-4-hydrogen", input_price_per_mtok: 1.5, output_price_per_mtok: 7.5, cache_read_price_per_mtok: 0.075, context_length: 1048576 },
    { id: "google/gemini-3.5-flash-lite", provider: "google", upstream_model: "gemini-3.5-flash-lite", input_price_per_mtok: 0.3, output_price_per_mtok: 2.5, cache_read_price_per_mtok: 0.03, context_length: 1048576, max_output_tokens: 65536 },
    { id: "mistral/mistral-large", provider: "mistral", upstream_model: "mistral-large-latest", input_price_per_mtok: 0.7, output_price_per_mtok: 2.1, context_length: 1048576 },
    { id: "mistral/mistral-small", provider: "mistral", upstream_model: "mistral-small-latest", input_price_per_mtok: 0.15, output_price_per_mtok: 0.6, context_length: 262144 },
    { id: "deepseek/deepseek-flash", provider: "deepseek", upstream_model: "deepseek-flash", input_price_per_mtok: 0.3, output_price_per_mtok: 1.2, cache_read_price_per_mtok: 0.006, context_length: 1048576, max_output_tokens: 393216 },
    { id: "deepseek/deepseek-v4-pro", provider: "deepseek", upstream_model: "deepseek-v4-pro", input_price_per_mtok: 1.32, output_price_per_mtok: 3.96, cache_read_price_per_mtok: 0.044, context_length: 1048576, max_output_tokens: 393216 },
    { id: "xai/grok-4.7", provider: "xai", upstream_model: "grok-4.7", input_price_per_mtok: 2, output_price_per_mtok: 6, cache_read_price_per_mtok: 0.5, context_length: 500000 },
    { id: "xai/grok-4.3", provider: "xai", upstream_model: "grok-4.3", input_price_per_mtok: 1.25, output_price_per_mtok: 2.5, cache_read_price_per_mtok: 0.2, context_length: 1000000 },
    { id: "openai/gpt-oss-120b", provider: "groq", upstream_model: "openai/gpt-oss-120b", input_price_per_mtok: 0.15, output_price_per_mtok: 0.6, context_length: 131072, max_output_tokens: 65536, owned_by: "openai" },
    { id: "openai/gpt-oss-20b", provider: "groq", upstream_model: "openai/gpt-oss-20b", input_price_per_mtok: 0.075, output_price_per_mtok: 0.3, context_length: 131072, owned_by: "openai" },
    { id: "qwen/qwen3.8-27b", provider: "groq", upstream_model: "qwen/qwen3.8-27b", input_price_per_mtok: 0.8, output_price_per_mtok: 4, context_length: 131072, owned_by: "qwen" },
    { id: "openai/text-embedding-3-small", kind: "embedding", provider: "openai", upstream_model: "text-embedding-3-small", input_price_per_mtok: 0.02, context_length: 8191, dimensions: 1536, min_dimensions: 1 },
    { id: "openai/text-embedding-3-large", kind: "embedding", provider: "openai", upstream_model: "text-embedding-3-large", input_price_per_mtok: 0.13, context_length: 8191, dimensions: 3072, min_dimensions: 1 },
    { id: "google/gemini-embedding-001", kind: "embedding", provider: "google", upstream_model: "gemini-embedding-001", input_price_per_mtok: 0.15, context_length: 2048, dimensions: 3072, min_dimensions: 128 },
    { id: "mistral/mistral-embed", kind: "embedding", provider: "mistral", upstream_model: "mistral-embed", input_price_per_mtok: 0.1, context_length: 8192, dimensions: 1024 },
  ],
} as const;

let builtin: Catalog | undefined;

/** The built-in catalog, parsed once: what the gateway serves when BENTOO_CATALOG is not set. */
export function builtinCatalog(): Catalog {
  builtin ??= parseCatalog(BUILTIN_CATALOG_DOCUMENT);
  return builtin;
}
