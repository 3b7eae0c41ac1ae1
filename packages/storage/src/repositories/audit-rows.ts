import type { AuditRecord } from "@bentoo/core";
import type { Selectable } from "kysely";
import type { AuditLogTable } from "../audit-schema.js";

/**
 * AuditRecord → audit_log row values (audit-row-reader.ts reads them back). It has no
 * runtime imports, so the SQLite writer thread loads little. Writing is defensive on purpose: a batch of
 * hundreds of records goes in one INSERT, so a value PostgreSQL would reject
 * (a string past its column width, a NUL character, a fractional integer)
 * must not fail the other records — strings are cut to the widths of
 * migration 002 and numbers rounded.
 * (String#isWellFormed and #toWellFormed are declared in multi-row-insert.ts.)
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

/** Cut to `width`; NUL removed (PostgreSQL text cannot hold it); half of a surrogate pair, left by the cut or sent so, becomes U+FFFD in both databases. */
function text(value: string | null, width: number): string | null {
  if (value === null) return null;
  const clean = value.includes("\u0000") ? value.replaceAll("\u0000", "") : value;
  const cut = clean.length > width ? clean.slice(0, width) : clean;
  return cut.isWellFormed() ? cut : cut.toWellFormed();
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

/**
 * A record's fields in AUDIT_COLUMNS order, as they are stored: what crosses to
 * the SQLite writer thread (postMessage clones an array of values 2.5× faster
 * than the object, whose property names it copies too), and what
 * `storedAuditValues` turns into an INSERT's parameters.
 */
export type PackedAuditRecord = [
  id: string,
  type: AuditRecord["type"],
  event: AuditRecord["event"],
  timestamp: number,
  requestId: string | null,
  accountId: string | null,
  apiKeyId: string | null,
  keyLast4: string | null,
  keyName: string | null,
  model: string | null,
  provider: string | null,
  status: number | null,
  errorCode: string | null,
  promptTokens: number | null,
  completionTokens: number | null,
  totalTokens: number | null,
  costMicros: number | null,
  usageEstimated: boolean | null,
  sourceIp: string | null,
  userAgent: string | null,
  latencyMs: number | null,
  actor: string | null,
  metadata: Record<string, unknown> | null,
];

export function packAuditRecord(r: AuditRecord): PackedAuditRecord {
  return [
    r.id, r.type, r.event, r.timestamp, r.requestId, r.accountId, r.apiKeyId, r.keyLast4, r.keyName, r.model, r.provider, r.status,
    r.errorCode, r.promptTokens, r.completionTokens, r.totalTokens, r.costMicros, r.usageEstimated, r.sourceIp, r.userAgent, r.latencyMs, r.actor, r.metadata,
  ];
}

/** An audit_log row's values in AUDIT_COLUMNS order: an INSERT's parameters. */
export type AuditRowValues = ColumnValues<typeof AUDIT_COLUMNS>;
type ColumnValues<Columns extends ReadonlyArray<keyof AuditLogTable>> = { readonly [Index in keyof Columns]: Selectable<AuditLogTable>[Columns[Index]] };

/**
 * The row's values, made in place: `packed` becomes them (the same array, which
 * a batch of hundreds of records then does not allocate again on the writer
 * thread). The caller must not read `packed` as a record afterwards.
 */
export function storedAuditValues(packed: PackedAuditRecord): AuditRowValues {
  const values = packed as unknown as unknown[];
  values[3] = Math.round(packed[3]);
  values[4] = text(packed[4], WIDTHS.request_id);
  values[5] = text(packed[5], WIDTHS.account_id);
  values[6] = text(packed[6], WIDTHS.api_key_id);
  values[7] = text(packed[7], WIDTHS.key_last4);
  values[8] = text(packed[8], WIDTHS.key_name);
  values[9] = text(packed[9], WIDTHS.model);
  values[10] = text(packed[10], WIDTHS.provider);
  values[11] = integer(packed[11]);
  values[12] = text(packed[12], WIDTHS.error_code);
  values[13] = integer(packed[13]);
  values[14] = integer(packed[14]);
  values[15] = integer(packed[15]);
  values[16] = integer(packed[16]);
  values[17] = packed[17] === null ? null : packed[17] ? 1 : 0;
  values[18] = text(packed[18], WIDTHS.source_ip);
  values[19] = text(packed[19], WIDTHS.user_agent);
  values[20] = packed[20] === null || !Number.isFinite(packed[20]) ? null : Math.round(packed[20] * 1000) / 1000;
  values[21] = text(packed[21], WIDTHS.actor);
  values[22] = metadataText(packed[22]);
  return values as unknown as AuditRowValues;
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
