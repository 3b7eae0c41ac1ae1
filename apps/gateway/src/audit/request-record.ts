import { AUDIT_USER_AGENT_MAX_LENGTH, type AuditRecord, type KeyWithAccount, newId, totalTokens } from "@bentoo/core";
import type { FastifyReply, FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when authentication failed: what could be learned about the presented key. */
    authFailure: { last4: string | null; subject: KeyWithAccount | null } | null;
    /** When the request arrived, by the services' clock (ms since the epoch): its audit record's timestamp. */
    receivedAt: number;
  }
}

/**
 * The audit record of one gateway request, whatever its outcome: built from what
 * the request path left on the request (the key, the meter, the error code).
 * Never holds key material, headers or cookies: only ids, the key's last 4, and
 * the user agent.
 */
export function requestRecord(request: FastifyRequest, reply: FastifyReply): AuditRecord {
  const subject = request.subject ?? request.authFailure?.subject ?? null;
  const meter = request.meter;
  const usage = meter?.usage ?? null;
  const userAgent = request.headers["user-agent"];
  const elapsed = reply.elapsedTime;
  return {
    id: newId("event"),
    type: "request",
    event: "api.request",
    timestamp: request.receivedAt,
    requestId: request.id,
    accountId: subject?.account.id ?? null,
    apiKeyId: subject?.key.id ?? null,
    keyLast4: subject?.key.last4 ?? request.authFailure?.last4 ?? null,
    keyName: subject?.key.name ?? null,
    model: meter?.model ?? null,
    provider: meter?.provider ?? null,
    status: reply.statusCode,
    errorCode: request.errorCode,
    promptTokens: usage?.inputTokens ?? null,
    completionTokens: usage?.outputTokens ?? null,
    totalTokens: usage === null ? null : totalTokens(usage),
    costMicros: meter?.costMicros ?? null,
    usageEstimated: usage === null ? null : usage.estimated,
    sourceIp: request.ip,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, AUDIT_USER_AGENT_MAX_LENGTH) : null,
    latencyMs: Math.round(elapsed * 1000) / 1000,
    actor: subject === null ? null : `key:${subject.key.id}`,
    metadata: { method: request.method, path: request.routeOptions.url ?? request.url.split("?")[0] ?? "" },
  };
}
