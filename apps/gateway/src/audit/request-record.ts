import { AUDIT_USER_AGENT_MAX_LENGTH, type AuditRecord, type KeyWithAccount, newId, totalTokens } from "@bentoo/core";
import type { FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when authentication failed: what could be learned about the presented key. */
    authFailure: { last4: string | null; subject: KeyWithAccount | null } | null;
    /** When the request arrived, by the services' clock (ms since the epoch): its audit record's timestamp. */
    receivedAt: number;
    /** Its audit record was handed to the writer (there is exactly one). */
    audited: boolean;
  }
}

/** Where audit records go (the batched record writer). */
export interface AuditSink {
  audit(record: AuditRecord): void;
}

/** The status an audit record shows for a client that went away before its answer was complete (nginx's "client closed request"). */
export const CLIENT_CLOSED_STATUS = 499;

/**
 * Hands the request's one audit record to the sink, once: before the last byte
 * of its answer is written (so a request that was answered has its record
 * queued, whatever happens to the process next), or when the client went away.
 * `status` is the answer's, or CLIENT_CLOSED_STATUS; `elapsedMs` the time since it arrived.
 */
export function auditRequest(sink: AuditSink, request: FastifyRequest, status: number, elapsedMs: number): void {
  if (request.audited) return;
  request.audited = true;
  sink.audit(requestRecord(request, status, elapsedMs));
}

/**
 * The audit record of one gateway request, whatever its outcome: built from what
 * the request path left on the request (the key, the meter, the error code).
 * Never holds key material, headers or cookies: only ids, the key's last 4, and
 * the user agent.
 */
export function requestRecord(request: FastifyRequest, status: number, elapsedMs: number): AuditRecord {
  const subject = request.subject ?? request.authFailure?.subject ?? null;
  const meter = request.meter;
  const usage = meter?.usage ?? null;
  const userAgent = request.headers["user-agent"];
  return {
    id: newId("event"),
    type: "request",
    event: "api.request",
    timestamp: request.receivedAt,
    requestId: request.id,
    endpoint: request.routeOptions.url ?? null,
    accountId: subject?.account.id ?? null,
    apiKeyId: subject?.key.id ?? null,
    keyLast4: subject?.key.last4 ?? request.authFailure?.last4 ?? null,
    keyName: subject?.key.name ?? null,
    model: meter?.model ?? null,
    provider: meter?.provider ?? null,
    status,
    errorCode: request.errorCode,
    promptTokens: usage?.inputTokens ?? null,
    completionTokens: usage?.outputTokens ?? null,
    totalTokens: usage === null ? null : totalTokens(usage),
    cacheReadTokens: usage?.cacheReadTokens ?? null,
    cacheWriteTokens: usage?.cacheWriteTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    costMicros: meter?.costMicros ?? null,
    usageEstimated: usage === null ? null : usage.estimated,
    // undefined when the client left before anything read its address (the socket keeps it once read).
    sourceIp: request.ip ?? null,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, AUDIT_USER_AGENT_MAX_LENGTH) : null,
    latencyMs: Math.round(elapsedMs * 1000) / 1000,
    actor: subject === null ? null : `key:${subject.key.id}`,
    metadata: { method: request.method, path: request.routeOptions.url ?? request.url.split("?")[0] ?? "" },
  };
}
