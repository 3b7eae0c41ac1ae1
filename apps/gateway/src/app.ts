import { fileURLToPath } from "node:url";
import { newId } from "@bentoo/core";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { auditRequest, CLIENT_CLOSED_STATUS } from "./audit/request-record.js";
import { clientErrorHandler } from "./http/client-error.js";
import { installErrorHandler } from "./http/error-handler.js";
import { installJsonBodyParser } from "./http/json-body-parser.js";
import { serverOptions } from "./http/server-options.js";
import { adminAuth } from "./middleware/admin-auth.js";
import { authenticate } from "./middleware/authenticate.js";
import { ipAllowlist } from "./middleware/ip-allowlist.js";
import { requireScopes } from "./middleware/require-scope.js";
import { sessionAuth } from "./middleware/session-auth.js";
import { transportSecurity } from "./middleware/transport-security.js";
import { installOpenApi, openApiRoute } from "./openapi/document.js";
import { ADMIN_OPENAPI_SCHEMA, API_OPENAPI_SCHEMA } from "./openapi/meta-schemas.js";
import { installSchemaValidation } from "./openapi/validation.js";
import { adminAccountRoutes } from "./routes/admin/accounts.js";
import { adminKeyRoutes } from "./routes/admin/keys.js";
import { accountRoutes } from "./routes/api/account.js";
import { authRoutes, signOutRoute } from "./routes/api/auth.js";
import { keyRoutes } from "./routes/api/keys.js";
import { usageRoutes } from "./routes/api/usage.js";
import { auditRoutes } from "./routes/audit.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { docsRoutes } from "./routes/docs.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoute } from "./routes/metrics.js";
import { chatCompletionsRoute } from "./routes/v1/chat-completions.js";
import { embeddingsRoute } from "./routes/v1/embeddings.js";
import { keyIntrospectionRoute } from "./routes/v1/key.js";
import { messagesRoutes } from "./routes/v1/messages.js";
import { dashboardModelsRoute, modelsRoutes } from "./routes/v1/models.js";
import { responsesRoutes } from "./routes/v1/responses.js";
import { webhookRoutes } from "./routes/webhooks.js";
import type { Services } from "./services.js";

/** Builds the HTTP application from ready services. No environment access here. */
export async function createApp(services: Services): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    // No per-request log lines: the hot path never waits on logging (audit records cover requests).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => newId("request"),
    requestIdHeader: false,
    bodyLimit: services.config.bodyLimitBytes,
    // Requests that arrive while closing are still served (and audited) normally; storage closes after.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    // What Node's parser refuses before a request exists (431, 400, 408) is answered in the error envelope too.
    clientErrorHandler: clientErrorHandler(services.config.timeouts),
    // TLS, trusted proxies (request.ip/protocol) and timeouts against slow clients.
    ...serverOptions(services.config),
  });
  app.decorateRequest("subject", null);
  app.decorateRequest("dashboard", null);
  app.decorateRequest("meter", null);
  app.decorateRequest("errorCode", null);
  app.decorateRequest("authFailure", null);
  app.decorateRequest("rawBody", null);
  app.decorateRequest("receivedAt", 0);
  app.decorateRequest("audited", false);
  // Route schemas validate requests and, collected as routes register, make the OpenAPI documents.
  installSchemaValidation(app);
  await installOpenApi(app);
  // JSON only: a cross-site form can send text/plain without a preflight.
  app.removeContentTypeParser("text/plain");
  installJsonBodyParser(app, services.config.bodyLimitBytes);
  // Hooks on the gateway's path are callback hooks: an async one costs a promise and a microtask per request.
  app.addHook("onRequest", (request, reply, done) => {
    request.receivedAt = services.now();
    reply.header("x-request-id", request.id);
    // Anthropic's SDKs read a request's id from `request-id` (`error.requestID`, `message._request_id`).
    if (request.url.startsWith("/v1/messages")) reply.header("request-id", request.id);
    done();
  });
  app.addHook("onRequest", transportSecurity(services.config));
  installErrorHandler(app, services.config.bodyLimitBytes, services.outageLog);
  requireScopes(app);
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const status = String(reply.statusCode);
    const meter = request.meter;
    services.metrics.requests.inc(route, status, meter?.model ?? "", meter?.provider ?? "");
    services.metrics.requestDuration.observe(reply.elapsedTime / 1000, route, status);
    if (meter?.upstreamMs != null && meter.provider !== null) {
      services.metrics.upstreamDuration.observe(meter.upstreamMs / 1000, meter.provider, request.errorCode === null ? "ok" : "error");
    }
    done();
  });
  // A client that went away before its answer was complete: no "finish", so onResponse never runs.
  app.addHook("onRequestAbort", (request, done) => {
    const meter = request.meter;
    services.metrics.requests.inc(request.routeOptions.url ?? "unmatched", String(CLIENT_CLOSED_STATUS), meter?.model ?? "", meter?.provider ?? "");
    done();
  });
  metricsRoute(app, services);

  healthRoutes(app, services);
  openApiRoute(app, "/openapi.json", (documents) => documents.api, API_OPENAPI_SCHEMA);

  await app.register(async (gateway) => {
    gateway.addHook("onRequest", authenticate(services.verifier));
    gateway.addHook("onRequest", ipAllowlist());
    // One audit record per gateway request, whatever the outcome; queued before the answer is written, never awaited.
    // A relayed stream is not sent through Fastify: the pipeline hands its record over before the stream's end.
    gateway.addHook("onSend", (request, reply, payload, done) => {
      auditRequest(services.records, request, reply.statusCode, reply.elapsedTime);
      done(null, payload);
    });
    // A client gone before any handler could answer (its body never all arrived, say): recorded now, as nothing else will.
    // A model request already in the pipeline (it has a meter) is recorded by the pipeline, with what it was charged.
    gateway.addHook("onRequestAbort", (request, done) => {
      if (request.meter === null) {
        request.errorCode = "client_closed_request";
        auditRequest(services.records, request, CLIENT_CLOSED_STATUS, services.now() - request.receivedAt);
      }
      done();
    });
    modelsRoutes(gateway, services);
    auditRoutes(gateway, services, "/v1", (request) => request.subject!.account.id);
    chatCompletionsRoute(gateway, services);
    responsesRoutes(gateway, services);
    messagesRoutes(gateway, services);
    embeddingsRoute(gateway, services);
    keyIntrospectionRoute(gateway, services);
  });

  await app.register(async (api) => {
    authRoutes(api, services);
    await api.register(async (signedIn) => {
      signedIn.addHook(
        "onRequest",
        sessionAuth(services.sessions, (id) => services.storage.accounts.get(id)),
      );
      signOutRoute(signedIn, services);
      accountRoutes(signedIn, services);
      keyRoutes(signedIn, services);
      auditRoutes(signedIn, services, "/api", (request) => request.dashboard!.account.id);
      usageRoutes(signedIn, services);
      dashboardModelsRoute(signedIn, services);
      webhookRoutes(signedIn, services, "/api/webhooks", async (request) => request.dashboard!.account.id);
    });
  });

  const adminToken = services.config.adminToken;
  if (adminToken !== null) {
    await app.register(async (admin) => {
      admin.addHook("onRequest", adminAuth(adminToken));
      openApiRoute(admin, "/admin/v1/openapi.json", (documents) => documents.admin, ADMIN_OPENAPI_SCHEMA);
      adminAccountRoutes(admin, services);
      adminKeyRoutes(admin, services);
      webhookRoutes(admin, services, "/admin/v1/accounts/:id/webhooks", async (request) => {
        const { id } = request.params as { id: string };
        return (await services.accounts.require(id)).id;
      });
    });
  }

  // The customer docs (apps/docs/dist, built by `npm run build`) and the public catalog they show.
  await app.register(async (docs) => docsRoutes(docs, { root: fileURLToPath(new URL("../../docs/dist", import.meta.url)), catalog: services.catalog }));
  // Last: the dashboard's SPA fallback answers only GETs no route above matched (apps/dashboard/dist, built by `npm run build`).
  await app.register(async (ui) => dashboardRoutes(ui, { root: fileURLToPath(new URL("../../dashboard/dist", import.meta.url)) }));
  return app;
}
