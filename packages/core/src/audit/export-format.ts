import type { AuditRecordJson } from "@bentoo/api-types";
import type { AuditRecord } from "./types.js";

export type { AuditRecordJson };

/**
 * The public shapes of an audit record: the JSON object of the Audit API (and
 * of each JSONL export line, `AuditRecordJson` of @bentoo/api-types) and the CSV
 * row. `key_id` is the last 4 users see and `api_key_id` the internal id. The
 * members are listed one by one, so nothing unexpected (let alone key material)
 * can leak into an export.
 */
export function auditRecordToJson(record: AuditRecord): AuditRecordJson {
  return {
    id: record.id,
    object: "audit_log",
    type: record.type,
    event: record.event,
    timestamp: new Date(record.timestamp).toISOString(),
    request_id: record.requestId,
    account_id: record.accountId,
    key_id: record.keyLast4,
    api_key_id: record.apiKeyId,
    key_name: record.keyName,
    model: record.model,
    provider: record.provider,
    status: record.status,
    error_code: record.errorCode,
    prompt_tokens: record.promptTokens,
    completion_tokens: record.completionTokens,
    total_tokens: record.totalTokens,
    cost_micros: record.costMicros,
    usage_estimated: record.usageEstimated,
    source_ip: record.sourceIp,
    user_agent: record.userAgent,
    latency_ms: record.latencyMs,
    actor: record.actor,
    metadata: record.metadata,
    endpoint: record.endpoint,
    cache_read_tokens: record.cacheReadTokens,
    cache_write_tokens: record.cacheWriteTokens,
    reasoning_tokens: record.reasoningTokens,
  };
}

/** One JSONL line, newline included. */
export function auditRecordToJsonLine(record: AuditRecord): string {
  return `${JSON.stringify(auditRecordToJson(record))}\n`;
}

/** The CSV columns: the JSON fields in the same order, minus the constant `object`. */
export const AUDIT_CSV_COLUMNS = [
  "id",
  "type",
  "event",
  "timestamp",
  "request_id",
  "account_id",
  "key_id",
  "api_key_id",
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
  // Added later, so at the end: a spreadsheet or script that reads columns by position keeps working.
  "endpoint",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
] as const satisfies ReadonlyArray<Exclude<keyof AuditRecordJson, "object">>;

/** RFC 4180 line ending. */
const CRLF = "\r\n";

/** The header line, CRLF included. */
export function csvHeader(): string {
  return `${AUDIT_CSV_COLUMNS.join(",")}${CRLF}`;
}

/**
 * Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read
 * a cell as a formula — OWASP "CSV injection". A text cell starting with one
 * gets a leading `'`, which spreadsheets show as text and do not evaluate.
 * Numbers and booleans are written by Bentoo itself and never prefixed (a
 * negative number is data, not a formula).
 */
const FORMULA_TRIGGERS = new Set(["=", "+", "-", "@", "\t", "\r"]);

function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.has(text.charAt(0)) ? `'${text}` : text;
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling the quotes inside. */
function quoteField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvField(value: AuditRecordJson[keyof AuditRecordJson]): string {
  if (value === null) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return quoteField(neutraliseFormula(text));
}

/** One CSV row (CRLF included); null is an empty field, metadata is JSON text. */
export function auditRecordToCsvRow(record: AuditRecord): string {
  const json = auditRecordToJson(record);
  return `${AUDIT_CSV_COLUMNS.map((column) => csvField(json[column])).join(",")}${CRLF}`;
}
