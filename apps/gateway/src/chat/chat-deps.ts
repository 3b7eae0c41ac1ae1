import type { Catalog } from "@bentoo/core";
import type { ProviderRegistry } from "@bentoo/providers";
import type { AdmissionDeps } from "./admission.js";

/** What the chat-completion path needs from the services: admission's, plus the catalog and the providers. */
export interface ChatDeps extends AdmissionDeps {
  catalog: Catalog;
  providers: ProviderRegistry;
}
