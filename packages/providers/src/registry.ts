import { BentooError, type Catalog, type ProviderConfig } from "@bentoo/core";
import type { ChatAdapter } from "./adapter.js";
import { OpenAiCompatibleAdapter } from "./openai-compatible/adapter.js";
import { SandboxAdapter } from "./sandbox/adapter.js";

/** Looks up upstream credentials by environment-variable name (the composition root passes the environment). */
export type CredentialSource = (variable: string) => string | undefined;

export interface ProviderRegistry {
  readonly sandbox: ChatAdapter;
  /** The adapter for a provider, or the 503 that explains what the operator must configure. */
  adapterFor(providerId: string): ChatAdapter | BentooError;
  /** Ids of the providers whose credentials are present. */
  configuredProviders(): string[];
  close(): Promise<void>;
}

function createAdapter(provider: ProviderConfig, apiKey: string | null): ChatAdapter {
  switch (provider.type) {
    case "openai":
      return new OpenAiCompatibleAdapter(provider, apiKey);
  }
}

export function createProviderRegistry(catalog: Catalog, credentials: CredentialSource): ProviderRegistry {
  const adapters = new Map<string, ChatAdapter | BentooError>();
  for (const provider of catalog.providers.values()) {
    if (provider.apiKeyEnv === null) {
      adapters.set(provider.id, createAdapter(provider, null));
      continue;
    }
    const apiKey = credentials(provider.apiKeyEnv);
    adapters.set(
      provider.id,
      apiKey === undefined || apiKey === ""
        ? new BentooError("provider_not_configured", `provider "${provider.id}" is not configured on this Bentoo server: the operator must set ${provider.apiKeyEnv}. Test-mode keys (btoo_sk_test_…) work without it.`)
        : createAdapter(provider, apiKey),
    );
  }
  const sandbox = new SandboxAdapter();
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
