import type { AuditRecord } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { AuditLogTable } from "../audit-schema.js";

declare global {
  // ES2024, in Node.js since 20.0; TypeScript's lib here is ES2023.
  interface String {
    isWellFormed(): boolean;
    toWellFormed(): string;
  }
}

/**
 * AuditRecord → audit_log row values (audit-row-reader.ts reads them back).
 * Writing is defensive on purpose: a batch of hundreds of records goes in one
 * transaction, so a value PostgreSQL would reject (a string past its column
 * width, a NUL character, half of a surrogate pair, a fractional integer) must
 * not fail the other records — strings are cut to the widths of migrations 002
 * and 005 and numbers rounded.
 */
/** The widths of the audit_log text columns (migrations 002 and 005). */
export const AUDIT_TEXT_WIDTHS = {
  request_id: 64,
  endpoint: 128,
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

/** Cut to `width`; NUL removed (PostgreSQL text cannot hold it); half of a surrogate pair, left by the cut or sent so, becomes U+FFFD in both databases. */
export function storedText(value: string | null | undefined, width: number = Number.MAX_SAFE_INTEGER): string | null {
  // Undefined too: one record with a missing value must not fail its whole batch.
  if (value == null) return null;
  const clean = value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  const cut = clean.length > width ? clean.slice(0, width) : clean;
  return cut.isWellFormed() ? cut : cut.toWellFormed();
}

/** An integer column's value as stored: rounded, null when not a finite number. */
export function storedInteger(value: number | null): number | null {
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
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_micros",
  "usage_estimated",
  "source_ip",
  "user_agent",
  "latency_ms",
  "actor",
  "metadata",
  "endpoint",
] as const satisfies ReadonlyArray<keyof AuditLogTable>;

/** An audit_log row's values in AUDIT_COLUMNS order: an INSERT's parameters. */
export type AuditRowValues = ColumnValues<AuditLogTable, typeof AUDIT_COLUMNS>;

/** The value types of `Columns` of `Table`, as a tuple in the same order. */
export type ColumnValues<Table, Columns extends ReadonlyArray<keyof Selectable<Table>>> = {
  readonly [Index in keyof Columns]: Selectable<Table>[Columns[Index]];
};

/** The record as it is stored, in AUDIT_COLUMNS order. */
export function auditRowValues(r: AuditRecord): AuditRowValues {
  return [
    r.id,
    r.type,
    r.event,
    Math.round(r.timestamp),
    storedText(r.requestId, AUDIT_TEXT_WIDTHS.request_id),
    storedText(r.accountId, AUDIT_TEXT_WIDTHS.account_id),
    storedText(r.apiKeyId, AUDIT_TEXT_WIDTHS.api_key_id),
    storedText(r.keyLast4, AUDIT_TEXT_WIDTHS.key_last4),
    storedText(r.keyName, AUDIT_TEXT_WIDTHS.key_name),
    storedText(r.model, AUDIT_TEXT_WIDTHS.model),
    storedText(r.provider, AUDIT_TEXT_WIDTHS.provider),
    storedInteger(r.status),
    storedText(r.errorCode, AUDIT_TEXT_WIDTHS.error_code),
    storedInteger(r.promptTokens),
    storedInteger(r.completionTokens),
    storedInteger(r.totalTokens),
    storedInteger(r.cacheReadTokens),
    storedInteger(r.cacheWriteTokens),
    storedInteger(r.reasoningTokens),
    storedInteger(r.costMicros),
    r.usageEstimated === null ? null : r.usageEstimated ? 1 : 0,
    storedText(r.sourceIp, AUDIT_TEXT_WIDTHS.source_ip),
    storedText(r.userAgent, AUDIT_TEXT_WIDTHS.user_agent),
    r.latencyMs === null || !Number.isFinite(r.latencyMs) ? null : Math.round(r.latencyMs * 1000) / 1000,
    storedText(r.actor, AUDIT_TEXT_WIDTHS.actor),
    metadataText(r.metadata),
    storedText(r.endpoint, AUDIT_TEXT_WIDTHS.endpoint),
  ];
}

// Compile-time check that AUDIT_COLUMNS names every column of the table.
type MissingColumn = Exclude<keyof AuditLogTable, (typeof AUDIT_COLUMNS)[number]>;
const everyColumnListed: [MissingColumn] extends [never] ? true : MissingColumn = true;
void everyColumnListed;
