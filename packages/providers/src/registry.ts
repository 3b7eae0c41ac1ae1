import { BentooError, type Catalog, type ProviderConfig } from "@bentoo/core";
import { AnthropicAdapter } from "./anthropic/adapter.js";
import { GeminiAdapter } from "./gemini/adapter.js";
import { OpenAiAdapter } from "./openai/adapter.js";
import type { ProviderAdapter } from "./provider.js";
import { SandboxAdapter } from "./sandbox/adapter.js";

/** Looks up upstream credentials by environment-variable name (the composition root passes the environment). */
export type CredentialSource = (variable: string) => string | undefined;

export interface ProviderRegistry {
  readonly sandbox: ProviderAdapter;
  /** The adapter for a provider, or the 503 that explains what the operator must configure. */
  adapterFor(providerId: string): ProviderAdapter | BentooError;
  /** Ids of the providers whose credentials are present. */
  configuredProviders(): string[];
  close(): Promise<void>;
}

/** One adapter per catalog `type`: adding a provider type is a folder and a line here. `now` stamps the answers they write. */
function createAdapter(provider: ProviderConfig, apiKey: string | null, now: () => number): ProviderAdapter {
  switch (provider.type) {
    case "openai":
      return new OpenAiAdapter(provider, apiKey, { now });
    case "anthropic":
      return new AnthropicAdapter(provider, apiKey, { now });
    case "gemini":
      return new GeminiAdapter(provider, apiKey, { now });
  }
}

export function createProviderRegistry(catalog: Catalog, credentials: CredentialSource, now: () => number = Date.now): ProviderRegistry {
  const adapters = new Map<string, ProviderAdapter | BentooError>();
  for (const provider of catalog.providers.values()) {
    if (provider.apiKeyEnv === null) {
      adapters.set(provider.id, createAdapter(provider, null, now));
      continue;
    }
    const apiKey = credentials(provider.apiKeyEnv);
    adapters.set(
      provider.id,
      apiKey === undefined || apiKey === ""
        ? new BentooError(
            "provider_not_configured",
            `provider "${provider.id}" is not configured on this Bentoo server: the operator must set ${provider.apiKeyEnv}. Test-mode keys (btoo_sk_test_…) work without it.`,
          )
        : createAdapter(provider, apiKey, now),
    );
  }
  const sandbox = new SandboxAdapter(now);
  return {
    sandbox,
    adapterFor(providerId) {
      return adapters.get(providerId) ?? new BentooError("provider_not_configured", `provider "${providerId}" is not in the catalog.`);
    },
    configuredProviders() {
      return [...adapters.entries()].filter(([, adapter]) => !(adapter instanceof BentooError)).map(([id]) => id);
    },
    async close() {
      await Promise.all([...adapters.values()].map((adapter) => (adapter instanceof BentooError ? undefined : adapter.close())));
    },
  };
}
