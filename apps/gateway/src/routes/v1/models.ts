import { BentooError } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { presentModel } from "../../http/presenters.js";
import type { Services } from "../../services.js";

/** GET /v1/models and GET /v1/models/{id} — the catalog with prices and context lengths. */
export function modelsRoutes(app: FastifyInstance, services: Services): void {
  const configured = new Set(services.providers.configuredProviders());
  const presented = new Map(
    services.catalog.modelList.map((model) => [model.id, presentModel(model, model.routes.some((route) => configured.has(route.providerId)))]),
  );
  const list = { object: "list", data: [...presented.values()] };

  app.get("/v1/models", async () => list);

  app.get<{ Params: { "*": string } }>("/v1/models/*", async (request) => {
    const id = request.params["*"];
    const model = presented.get(id);
    if (model === undefined) throw new BentooError("model_not_found", `The model "${id}" does not exist on this server; GET /v1/models lists the models you can use.`, { param: "model" });
    return model;
  });
}
