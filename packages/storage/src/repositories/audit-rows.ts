import type { AuditRecord } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { AuditLogTable } from "../audit-schema.js";

/**
 * AuditRecord → audit_log row (audit-row-reader.ts reads them back). It has no
 * runtime imports, so the SQLite writer thread loads little. Writing is defensive on purpose: a batch of
 * hundreds of records goes in one INSERT, so a value PostgreSQL would reject
 * (a string past its column width, a NUL character, a fractional integer)
 * must not fail the other records — strings are cut to the widths of
 * migration 002 and numbers rounded.
 */
const WIDTHS = {
  id: 64,
  request_id: 64,
  account_id: 64,
  api_key_id: 64,
  key_last4: 8,
  key_name: 200,
  model: 200,
  provider: 64,
  error_code: 64,
  source_ip: 64,
  user_agent: 512,
  actor: 128,
} as const;

function text(value: string | null, width: number): string | null {
  if (value === null) return null;
  const clean = value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  return clean.length > width ? clean.slice(0, width) : clean;
}

function integer(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value);
}

/** Metadata that JSON cannot hold (a BigInt, a cycle) is dropped rather than failing the batch. */
function metadataText(metadata: Record<string, unknown> | null): string | null {
  if (metadata === null) return null;
  try {
    return JSON.stringify(metadata);
  } catch {
    return null;
  }
}

export function toAuditRow(record: AuditRecord): Selectable<AuditLogTable> {
  return {
    id: record.id,
    type: record.type,
    event: record.event,
    timestamp: Math.round(record.timestamp),
    request_id: text(record.requestId, WIDTHS.request_id),
    account_id: text(record.accountId, WIDTHS.account_id),
    api_key_id: text(record.apiKeyId, WIDTHS.api_key_id),
    key_last4: text(record.keyLast4, WIDTHS.key_last4),
    key_name: text(record.keyName, WIDTHS.key_name),
    model: text(record.model, WIDTHS.model),
    provider: text(record.provider, WIDTHS.provider),
    status: integer(record.status),
    error_code: text(record.errorCode, WIDTHS.error_code),
    prompt_tokens: integer(record.promptTokens),
    completion_tokens: integer(record.completionTokens),
    total_tokens: integer(record.totalTokens),
    cost_micros: integer(record.costMicros),
    usage_estimated: record.usageEstimated === null ? null : record.usageEstimated ? 1 : 0,
    source_ip: text(record.sourceIp, WIDTHS.source_ip),
    user_agent: text(record.userAgent, WIDTHS.user_agent),
    latency_ms: record.latencyMs === null || !Number.isFinite(record.latencyMs) ? null : Math.round(record.latencyMs * 1000) / 1000,
    actor: text(record.actor, WIDTHS.actor),
    metadata: metadataText(record.metadata),
  };
}

/** Every column, in INSERT order. */
export const AUDIT_COLUMNS = [
  "id",
  "type",
  "event",
  "timestamp",
  "request_id",
  "account_id",
  "api_key_id",
  "key_last4",
  "key_name",
  "model",
  "provider",
  "status",
  "error_code",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "cost_micros",
  "usage_estimated",
  "source_ip",
  "user_agent",
  "latency_ms",
  "actor",
  "metadata",
] as const satisfies ReadonlyArray<keyof AuditLogTable>;

// Compile-time check that AUDIT_COLUMNS names every column of the table.
type MissingColumn = Exclude<keyof AuditLogTable, (typeof AUDIT_COLUMNS)[number]>;
const everyColumnListed: [MissingColumn] extends [never] ? true : MissingColumn = true;
void everyColumnListed;
