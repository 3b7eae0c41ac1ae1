import type { ModelJson, ModelListJson } from "@bentoo/api-types";
import { BentooError, modelAllowed } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { presentModel } from "../../http/presenters.js";
import { GET_MODEL_SCHEMA, LIST_MODELS_SCHEMA } from "../../openapi/schemas/models.js";
import type { Services } from "../../services.js";

const presentedCatalogs = new WeakMap<Services, { list: ModelListJson; byId: Map<string, ModelJson> }>();

/** The catalog as the API shows it, built once per server. */
function presentedCatalog(services: Services) {
  let presented = presentedCatalogs.get(services);
  if (presented === undefined) {
    const configured = new Set(services.providers.configuredProviders());
    const byId = new Map(
      services.catalog.modelList.map((model) => [
        model.id,
        presentModel(
          model,
          model.routes.some((route) => configured.has(route.providerId)),
        ),
      ]),
    );
    presented = { list: { object: "list", data: [...byId.values()] }, byId };
    presentedCatalogs.set(services, presented);
  }
  return presented;
}

/**
 * GET /v1/models and GET /v1/models/{id} — the catalog with prices and context
 * lengths. A key limited to some models sees those (and gets 403
 * `model_not_allowed` for another's id); every other key, the whole catalog,
 * built once.
 */
export function modelsRoutes(app: FastifyInstance, services: Services): void {
  const { list, byId } = presentedCatalog(services);
  app.get<{ Reply: ModelListJson }>("/v1/models", { config: { scope: "inference" }, schema: LIST_MODELS_SCHEMA }, async (request) => {
    const patterns = request.subject!.key.models;
    return patterns === null ? list : { object: "list", data: list.data.filter((model) => modelAllowed(patterns, model.id)) };
  });
  app.get<{ Params: { "*": string }; Reply: ModelJson }>("/v1/models/*", { config: { scope: "inference" }, schema: GET_MODEL_SCHEMA }, async (request) => {
    const id = request.params["*"];
    const model = byId.get(id);
    if (model === undefined)
      throw new BentooError("model_not_found", `The model "${id}" does not exist on this server; GET /v1/models lists the models you can use.`, {
        param: "model",
      });
    const { key } = request.subject!;
    if (!modelAllowed(key.models, id))
      throw new BentooError("model_not_allowed", `This key (key ID ••••${key.last4}) may not use ${id}; GET /v1/models lists the models it can use.`, {
        param: "model",
      });
    return model;
  });
}

/** GET /api/models — the same catalog for the dashboard's session. */
export function dashboardModelsRoute(app: FastifyInstance, services: Services): void {
  const { list } = presentedCatalog(services);
  app.get<{ Reply: ModelListJson }>("/api/models", async () => list);
}
