import { newId } from "@bentoo/core";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { installErrorHandler } from "./http/error-handler.js";
import { adminAuth } from "./middleware/admin-auth.js";
import { sessionAuth } from "./middleware/session-auth.js";
import { accountRoutes } from "./routes/api/account.js";
import { authRoutes, signOutRoute } from "./routes/api/auth.js";
import { keyRoutes } from "./routes/api/keys.js";
import { keyIntrospectionRoute } from "./routes/v1/key.js";
import { authenticate } from "./middleware/authenticate.js";
import { adminAccountRoutes } from "./routes/admin/accounts.js";
import { adminKeyRoutes } from "./routes/admin/keys.js";
import { healthRoutes } from "./routes/health.js";
import { chatCompletionsRoute } from "./routes/v1/chat-completions.js";
import { modelsRoutes } from "./routes/v1/models.js";
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
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  app.decorateRequest("subject", null);
  app.decorateRequest("dashboard", null);
  app.decorateRequest("meter", null);
  app.decorateRequest("errorCode", null);
  // JSON only: a cross-site form can send text/plain without a preflight.
  app.removeContentTypeParser("text/plain");
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  installErrorHandler(app, services.config.bodyLimitBytes);

  healthRoutes(app, services);

  await app.register(async (gateway) => {
    gateway.addHook("onRequest", authenticate(services.verifier));
    modelsRoutes(gateway, services);
    chatCompletionsRoute(gateway, services);
    keyIntrospectionRoute(gateway, services);
  });

  await app.register(async (api) => {
    authRoutes(api, services);
    await api.register(async (signedIn) => {
      signedIn.addHook("onRequest", sessionAuth(services.sessions, (id) => services.storage.accounts.get(id)));
      signOutRoute(signedIn, services);
      accountRoutes(signedIn, services);
      keyRoutes(signedIn, services);
    });
  });

  const adminToken = services.config.adminToken;
  if (adminToken !== null) {
    await app.register(async (admin) => {
      admin.addHook("onRequest", adminAuth(adminToken));
      adminAccountRoutes(admin, services);
      adminKeyRoutes(admin, services);
    });
  }
  return app;
}
