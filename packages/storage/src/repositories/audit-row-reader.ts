import { type AuditRecord, isAuditEvent, isAuditRecordType } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { AuditLogTable } from "../audit-schema.js";

/** audit_log row → AuditRecord (audit-rows.ts writes them). */
function parseMetadata(value: string | null): Record<string, unknown> | null {
  if (value === null) return null;
  const parsed: unknown = JSON.parse(value);
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

export function fromAuditRow(row: Selectable<AuditLogTable>): AuditRecord {
  if (!isAuditRecordType(row.type) || !isAuditEvent(row.event))
    throw new Error(`audit record ${row.id} has an unknown type or event "${row.type}/${row.event}"`);
  return {
    id: row.id,
    type: row.type,
    event: row.event,
    timestamp: row.timestamp,
    requestId: row.request_id,
    endpoint: row.endpoint,
    accountId: row.account_id,
    apiKeyId: row.api_key_id,
    keyLast4: row.key_last4,
    keyName: row.key_name,
    model: row.model,
    provider: row.provider,
    status: row.status,
    errorCode: row.error_code,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    costMicros: row.cost_micros,
    usageEstimated: row.usage_estimated === null ? null : row.usage_estimated !== 0,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
    latencyMs: row.latency_ms,
    actor: row.actor,
    metadata: parseMetadata(row.metadata),
  };
}
