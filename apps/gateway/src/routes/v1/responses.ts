import { BentooError, isId } from "@bentoo/core";
import type { FastifyInstance } from "fastify";
import { responsesDialect } from "../../dialects/responses/index.js";
import { CREATE_RESPONSE_SCHEMA, DELETE_RESPONSE_SCHEMA, GET_RESPONSE_SCHEMA } from "../../openapi/schemas/responses.js";
import { modelRoute } from "../../pipeline/model-route.js";
import type { Services } from "../../services.js";

/** The longest wait for a stored response's write before the answer goes out without it. */
const STORE_WRITE_TIMEOUT_MS = 5000;

function notFound(id: string): BentooError {
  return new BentooError("response_not_found", `There is no stored response "${id.slice(0, 80)}" for this account.`, { param: "response_id" });
}

/**
 * POST /v1/responses — OpenAI's Responses API, JSON or semantic events; and
 * GET / DELETE /v1/responses/{id} for the responses an account stored. Another
 * account's response reads as missing (404), exactly like one never stored.
 */
export function responsesRoutes(app: FastifyInstance, services: Services): void {
  const store = services.config.responsesStore ? services.storage.responses : null;
  const dialect = responsesDialect({
    store,
    now: services.now,
    writeTimeoutMs: STORE_WRITE_TIMEOUT_MS,
    onStoreFailure: (error, requestId) =>
      services.outageLog.error(
        services.logger,
        "response_store_failed",
        { error: error instanceof Error ? error.message : String(error), requestId },
        "a response could not be stored; it was answered without being kept",
      ),
  });
  modelRoute(app, "/v1/responses", dialect, services, { schema: CREATE_RESPONSE_SCHEMA });

  // Reading and deleting stored responses belong to the model surface: the `inference` scope.
  app.get<{ Params: { id: string }; Querystring: Record<string, string | undefined> }>(
    "/v1/responses/:id",
    { config: { scope: "inference" }, schema: GET_RESPONSE_SCHEMA },
    async (request) => {
      const id = request.params.id;
      if (request.query.stream === "true")
        throw new BentooError("invalid_request", "Streaming a stored response is not supported (Bentoo runs no background responses); GET it without stream.", {
          param: "stream",
        });
      const stored = isId("response", id) ? await services.storage.responses.get(request.subject!.account.id, id) : null;
      if (stored === null) throw notFound(id);
      return stored.response;
    },
  );

  app.delete<{ Params: { id: string } }>("/v1/responses/:id", { config: { scope: "inference" }, schema: DELETE_RESPONSE_SCHEMA }, async (request) => {
    const id = request.params.id;
    const deleted = isId("response", id) && (await services.storage.responses.delete(request.subject!.account.id, id));
    if (!deleted) throw notFound(id);
    return { id, object: "response", deleted: true };
  });
}
