import { newId } from "../ids.js";
import type { AuditEvent, AuditRecord } from "./types.js";

/** Who did a management action, and from where (for the event record). */
export interface ActionContext {
  /** "operator", "session:acct_…", "key:key_…". */
  actor: string;
  requestId?: string | null;
  sourceIp?: string | null;
  userAgent?: string | null;
}

export const OPERATOR: ActionContext = { actor: "operator" };

/** A management event record: written in the same transaction as the change it describes. */
export function managementEvent(
  event: AuditEvent,
  context: ActionContext,
  fields: { accountId: string; apiKeyId?: string | null; keyLast4?: string | null; keyName?: string | null; metadata?: Record<string, unknown> | null },
  now: number,
): AuditRecord {
  return {
    id: newId("event"),
    type: "event",
    event,
    timestamp: now,
    requestId: context.requestId ?? null,
    endpoint: null,
    accountId: fields.accountId,
    apiKeyId: fields.apiKeyId ?? null,
    keyLast4: fields.keyLast4 ?? null,
    keyName: fields.keyName ?? null,
    model: null,
    provider: null,
    status: null,
    errorCode: null,
    promptTokens: null,
    completionTokens: null,
    totalTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    costMicros: null,
    usageEstimated: null,
    sourceIp: context.sourceIp ?? null,
    userAgent: context.userAgent ?? null,
    latencyMs: null,
    actor: context.actor,
    metadata: fields.metadata ?? null,
  };
}
