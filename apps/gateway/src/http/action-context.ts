import type { ActionContext } from "@bentoo/core";
import type { FastifyRequest } from "fastify";

/** Who is acting, for management-event records: the signed-in account, or the operator. */
export function actionContext(request: FastifyRequest): ActionContext {
  const actor = request.dashboard === null ? "operator" : `session:${request.dashboard.account.id}`;
  return { actor, requestId: request.id, sourceIp: request.ip, userAgent: request.headers["user-agent"] ?? null };
}
