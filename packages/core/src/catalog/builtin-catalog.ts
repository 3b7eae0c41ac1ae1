import { parseCatalog } from "./parse-catalog.js";
import type { Catalog } from "./types.js";

/**
 * The catalog Bentoo ships with: real models at their list prices (USD per
 * million tokens) as published by each provider (embedding models bill input
 * tokens only; docs/catalog.md cites the pricing pages). Anthropic, Google and the
 * others are reached through their OpenAI-compatible endpoints. A provider is
 * usable once its `api_key_env` is set; test keys use the sandbox for every model.
 * Operators replace the whole catalog with BENTOO_CATALOG.
 */
export const BUILTIN_CATALOG_DOCUMENT = {
  providers: [
    { id: "openai", type: "openai", base_url: "https://api.openai.com/v1", api_key_env: "OPENAI_API_KEY" },
    { id: "anthropic", type: "openai", base_url: "https://api.anthropic.com/v1", api_key_env: "ANTHROPIC_API_KEY" },
    { id: "google", type: "openai", base_url: "https://generativelanguage.googleapis.com/v1beta/openai", api_key_env: "GEMINI_API_KEY" },
    { id: "mistral", type: "openai", base_url: "https://api.mistral.ai/v1", api_key_env: "MISTRAL_API_KEY" },
    { id: "deepseek", type: "openai", base_url: "https://api.deepseek.com/v1", api_key_env: "DEEPSEEK_API_KEY" },
    { id: "groq", type: "openai", base_url: "https://api.groq.com/openai/v1", api_key_env: "GROQ_API_KEY" },
  ],
  // biome-ignore format: one model per line keeps the price list readable as a table
  models: [
    { id: "openai/gpt-4o", provider: "openai", upstream_model: "gpt-4o", input_price_per_mtok: 2.5, output_price_per_mtok: 10, context_length: 128000, max_output_tokens: 16384 },
    { id: "openai/gpt-4o-mini", provider: "openai", upstream_model: "gpt-4o-mini", input_price_per_mtok: 0.15, output_price_per_mtok: 0.6, context_length: 128000, max_output_tokens: 16384 },
    { id: "openai/gpt-4.1", provider: "openai", upstream_model: "gpt-4.1", input_price_per_mtok: 2, output_price_per_mtok: 8, context_length: 1047576, max_output_tokens: 32768 },
    { id: "openai/gpt-4.1-mini", provider: "openai", upstream_model: "gpt-4.1-mini", input_price_per_mtok: 0.4, output_price_per_mtok: 1.6, context_length: 1047576, max_output_tokens: 32768 },
    { id: "openai/gpt-4.1-nano", provider: "openai", upstream_model: "gpt-4.1-nano", input_price_per_mtok: 0.1, output_price_per_mtok: 0.4, context_length: 1047576, max_output_tokens: 32768 },
    { id: "openai/o3-mini", provider: "openai", upstream_model: "o3-mini", input_price_per_mtok: 1.1, output_price_per_mtok: 4.4, context_length: 200000, max_output_tokens: 100000 },
    { id: "anthropic/claude-sonnet-4", provider: "anthropic", upstream_model: "claude-sonnet-4-20250514", input_price_per_mtok: 3, output_price_per_mtok: 15, context_length: 200000, max_output_tokens: 64000 },
    { id: "anthropic/claude-opus-4", provider: "anthropic", upstream_model: "claude-opus-4-20250514", input_price_per_mtok: 15, output_price_per_mtok: 75, context_length: 200000, max_output_tokens: 32000 },
    { id: "anthropic/claude-3.5-haiku", provider: "anthropic", upstream_model: "claude-3-5-haiku-20241022", input_price_per_mtok: 0.8, output_price_per_mtok: 4, context_length: 200000, max_output_tokens: 8192 },
    { id: "google/gemini-2.5-pro", provider: "google", upstream_model: "gemini-2.5-pro", input_price_per_mtok: 1.25, output_price_per_mtok: 10, context_length: 1048576, max_output_tokens: 65536 },
    { id: "google/gemini-2.5-flash", provider: "google", upstream_model: "gemini-2.5-flash", input_price_per_mtok: 0.3, output_price_per_mtok: 2.5, context_length: 1048576, max_output_tokens: 65536 },
    { id: "google/gemini-2.0-flash", provider: "google", upstream_model: "gemini-2.0-flash", input_price_per_mtok: 0.1, output_price_per_mtok: 0.4, context_length: 1048576, max_output_tokens: 8192 },
    { id: "mistral/mistral-large", provider: "mistral", upstream_model: "mistral-large-latest", input_price_per_mtok: 2, output_price_per_mtok: 6, context_length: 131072 },
    { id: "mistral/mistral-small", provider: "mistral", upstream_model: "mistral-small-latest", input_price_per_mtok: 0.1, output_price_per_mtok: 0.3, context_length: 131072 },
    { id: "deepseek/deepseek-chat", provider: "deepseek", upstream_model: "deepseek-chat", input_price_per_mtok: 0.27, output_price_per_mtok: 1.1, context_length: 65536, max_output_tokens: 8192 },
    { id: "openai/text-embedding-3-small", kind: "embedding", provider: "openai", upstream_model: "text-embedding-3-small", input_price_per_mtok: 0.02, context_length: 8191, dimensions: 1536, min_dimensions: 1 },
    { id: "openai/text-embedding-3-large", kind: "embedding", provider: "openai", upstream_model: "text-embedding-3-large", input_price_per_mtok: 0.13, context_length: 8191, dimensions: 3072, min_dimensions: 1 },
    { id: "google/gemini-embedding-001", kind: "embedding", provider: "google", upstream_model: "gemini-embedding-001", input_price_per_mtok: 0.15, context_length: 2048, dimensions: 3072, min_dimensions: 128 },
    { id: "mistral/mistral-embed", kind: "embedding", provider: "mistral", upstream_model: "mistral-embed", input_price_per_mtok: 0.1, context_length: 8192, dimensions: 1024 },
    { id: "meta-llama/llama-3.3-70b", provider: "groq", upstream_model: "llama-3.3-70b-versatile", input_price_per_mtok: 0.59, output_price_per_mtok: 0.79, context_length: 131072, max_output_tokens: 32768, owned_by: "meta-llama" },
  ],
} as const;

let builtin: Catalog | undefined;

export function builtinCatalog(): Catalog {
  builtin ??= parseCatalog(BUILTIN_CATALOG_DOCUMENT);
  return builtin;
}
