import { BentooError, type Catalog, type CatalogModel, type ModelKind } from "@bentoo/core";

/** Where each kind of model is served: named when a model reaches an endpoint of another kind. */
const ENDPOINT_OF: Record<ModelKind, string> = {
  chat: "POST /v1/chat/completions",
  embedding: "POST /v1/embeddings",
};

/**
 * The catalog model a request names, checked against the kind of model its
 * endpoint serves (the client API's `modelKind`): an unknown id is a 404, a
 * model of another kind a 400 that names the endpoint serving it.
 */
export function resolveModel(catalog: Catalog, id: string, kind: ModelKind): CatalogModel {
  const model = catalog.models.get(id);
  if (model === undefined) {
    throw new BentooError("model_not_found", `The model "${id}" does not exist on this server; GET /v1/models lists the models you can use.`, {
      param: "model",
    });
  }
  if (model.kind !== kind) {
    throw new BentooError(
      "model_kind_mismatch",
      `${model.id} is ${model.kind === "embedding" ? "an embedding" : "a chat"} model, which this endpoint does not serve; use ${ENDPOINT_OF[model.kind]} for it, or pick a ${kind} model from GET /v1/models.`,
      { param: "model" },
    );
  }
  return model;
}
