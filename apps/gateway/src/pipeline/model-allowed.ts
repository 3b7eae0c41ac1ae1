import { type ApiKeyRecord, BentooError, type CatalogModel, modelAllowed } from "@bentoo/core";

/**
 * A key limited to some models (docs/keys.md, "Allowed models") may call only
 * those: 403 `model_not_allowed` otherwise, naming the key's list (cut when
 * long). Every model endpoint calls it once its meter names the model, so the
 * refusal's audit record does too.
 */
export function requireModelAllowed(key: ApiKeyRecord, model: CatalogModel): void {
  if (key.models === null || modelAllowed(key.models, model.id)) return;
  const patterns = key.models;
  const shown = patterns.slice(0, 10).join(", ") + (patterns.length > 10 ? `, and ${patterns.length - 10} more` : "");
  throw new BentooError(
    "model_not_allowed",
    `This key (key ID ••••${key.last4}) may not use ${model.id}; it is limited to: ${shown}. Use one of those models, or add this one to the key's models in the dashboard (Settings → API Keys).`,
    { param: "model" },
  );
}
