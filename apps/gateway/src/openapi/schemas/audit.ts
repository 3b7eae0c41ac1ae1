import type { AuditPageJson, AuditRecordJson } from "@bentoo/api-types";
import { AUDIT_EVENTS, AUDIT_QUERY_MAX_LIMIT, AUDIT_RECORD_TYPES } from "@bentoo/core";
import { type Static, type TObject, Type } from "@sinclair/typebox";
import { API_KEY_SECURITY, type Exactly, errorResponses, jsonResponse, Nullable, REQUEST_ID_HEADER, sameShape } from "../shared.js";
import type { RouteSchema } from "../validation.js";
import { type Defaulted, ListOf, PageQuery, StringEnum } from "./management.js";

/** The Audit API (`GET /v1/audit/logs`, `GET /v1/audit/logs/export`); the dashboard's `/api/audit/…` validates with the same schemas. */

const count = (description: string) => Nullable(Type.Integer(), { description });

export const AuditRecord = Type.Object(
  {
    id: Type.String({ description: "The record's id (`evt_…`)." }),
    object: Type.Literal("audit_log"),
    type: StringEnum(AUDIT_RECORD_TYPES, { description: "`request`: a gateway request; `event`: a management action." }),
    event: StringEnum(AUDIT_EVENTS, { description: "`api.request` for a gateway request; otherwise the management action." }),
    timestamp: Type.String({ description: "When the request arrived or the action happened, RFC 3339 in UTC." }),
    request_id: Nullable(Type.String(), { description: "The request's id (`req_…`), as its `x-request-id` header said." }),
    account_id: Nullable(Type.String(), { description: "The account; null only for a failed authentication with an unknown key." }),
    key_id: Nullable(Type.String(), { description: "The key ID users see: the key's last 4 characters. Never the key." }),
    api_key_id: Nullable(Type.String(), { description: "The key's internal id (`key_…`)." }),
    key_name: Nullable(Type.String()),
    model: Nullable(Type.String()),
    provider: Nullable(Type.String(), { description: "The provider that served (or failed) the request; `sandbox` for test keys." }),
    status: Nullable(Type.Integer(), { description: "The HTTP status answered." }),
    error_code: Nullable(Type.String(), { description: "The error code the request was answered with; null for a success." }),
    prompt_tokens: count("Every input token, cached or not; null without usage."),
    completion_tokens: count("Output tokens; null without usage."),
    total_tokens: count("prompt_tokens + completion_tokens; null without usage."),
    cost_micros: count("What the request was charged, in micro-dollars (1 USD = 1,000,000); 0 for test keys."),
    usage_estimated: Nullable(Type.Boolean(), { description: "true when Bentoo counted the tokens because the upstream reported none." }),
    source_ip: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    latency_ms: Nullable(Type.Number(), { description: "Milliseconds from the request's arrival to its answer, to the microsecond." }),
    actor: Nullable(Type.String(), { description: "Who did a management action: `operator`, `session:acct_…` or `key:key_…`." }),
    metadata: Nullable(Type.Record(Type.String(), Type.Unknown()), {
      description: "Small JSON about the record: `{method, path}` of a request, or an action's details such as `{grace_seconds, new_key_id}`.",
    }),
    endpoint: Nullable(Type.String(), { description: "The route pattern that served a request, e.g. `/v1/chat/completions`; null for events." }),
    cache_read_tokens: count("The part of prompt_tokens read from the provider's prompt cache."),
    cache_write_tokens: count("The part of prompt_tokens written to the provider's prompt cache."),
    reasoning_tokens: count("The part of completion_tokens spent on reasoning."),
  },
  { title: "AuditRecord", description: "One audit record: an item of a listing, and one line of a JSONL export." },
);

export const AuditRecordList = ListOf(AuditRecord, "AuditRecordList", "A page of the account's audit log.");

sameShape<Exactly<Static<typeof AuditRecord>, AuditRecordJson>>();
sameShape<Exactly<Static<typeof AuditRecordList>, AuditPageJson>>();

/** The filters listing and export share (PRODUCT.md §5); the handler checks what a schema cannot (a real time, end after start). */
const FILTERS = {
  start: Type.Optional(Type.String({ description: "Records at or after this time, RFC 3339, e.g. `2026-11-01T00:00:00Z`.", "x-error-hint": "Give it once." })),
  end: Type.Optional(Type.String({ description: "Records before this time (exclusive), RFC 3339; after `start`.", "x-error-hint": "Give it once." })),
  key_id: Type.Optional(
    Type.String({
      pattern: "^(key_[0-9A-Za-z]{20}|[0-9A-Za-z]{4})$",
      description: "A key ID (the key's last 4 characters) or a key's id (`key_…`).",
      "x-error-hint": "Send a key ID (its last 4 characters) or a key's id (key_…).",
    }),
  ),
  model: Type.Optional(Type.String({ description: "A model id, e.g. `openai/gpt-6-luna`.", "x-error-hint": "Give it once." })),
  endpoint: Type.Optional(
    Type.String({
      pattern: "^/",
      maxLength: 128,
      description: "The route that served the requests, exactly as recorded, e.g. `/v1/chat/completions`.",
      "x-error-hint": "Send a route path such as /v1/chat/completions.",
    }),
  ),
  status: Type.Optional(
    Type.Integer({
      minimum: 100,
      maximum: 599,
      description: "The HTTP status answered, e.g. `429`.",
      "x-error-hint": "Send an HTTP status code such as 200 or 429.",
    }),
  ),
  event: Type.Optional(
    StringEnum(AUDIT_EVENTS, { description: "One event name: `api.request` for gateway requests, or a management action such as `key.revoked`." }),
  ),
  type: Type.Optional(StringEnum(AUDIT_RECORD_TYPES, { description: "`request` or `event`." })),
};

/** The filters as the route's schema leaves them. */
export type AuditFilterQuery = Static<TObject<typeof FILTERS>>;

/** `GET …/audit/logs`: the filters, a page and its order. Members it does not know are ignored, as they were before it had a schema. */
export const AuditLogsQuery = PageQuery(AUDIT_QUERY_MAX_LIMIT, 100, {
  ...FILTERS,
  order: Type.Optional(
    StringEnum(["asc", "desc"] as const, {
      default: "asc",
      description: "`asc`: oldest first; `desc`: newest first. Send the same order with each page's cursor.",
    }),
  ),
});

/** `GET …/audit/logs/export`: the filters and the file format. */
export const AuditExportQuery = Type.Object({
  ...FILTERS,
  format: Type.Optional(
    StringEnum(["jsonl", "csv"] as const, { default: "jsonl", description: "`jsonl` (one AuditRecord per line) or `csv` (the same columns but `object`)." }),
  ),
});

export type AuditLogsQueryJson = Defaulted<Static<typeof AuditLogsQuery>, "limit" | "order">;
export type AuditExportQueryJson = Defaulted<Static<typeof AuditExportQuery>, "format">;

const AUDIT_ERRORS = errorResponses([]);

export const LIST_AUDIT_LOGS_SCHEMA: RouteSchema = {
  summary: "List audit records",
  description: [
    "A page of the calling key's account's audit log: one record per gateway request and one per management action (key created, rolled or revoked, sign-in, credits granted, …).",
    "",
    "Needs a key with the `audit:read` scope (new keys do not have it unless it is chosen). Pages follow `(timestamp, id)`; pass `next_cursor` back as `cursor`, with the same filters and order, for the next page. Records that arrive during an ascending walk appear on later pages; nothing is duplicated or skipped. A key of one account never sees another account's records.",
  ].join("\n"),
  tags: ["Audit"],
  operationId: "listAuditLogs",
  security: API_KEY_SECURITY,
  querystring: AuditLogsQuery,
  response: { 200: jsonResponse(AuditRecordList, "A page of records.", REQUEST_ID_HEADER), ...AUDIT_ERRORS },
};

const EXPORT_HEADERS = {
  ...REQUEST_ID_HEADER,
  "content-disposition": Type.String({ description: 'A download: `attachment; filename="bentoo-audit-<start>-<end>.<format>"`.' }),
  "cache-control": Type.String({ description: "`no-store`." }),
};

export const EXPORT_AUDIT_LOGS_SCHEMA: RouteSchema = {
  summary: "Export audit records",
  description: [
    "The account's audit records in a time range, oldest first, streamed as one file with bounded memory: JSONL (`format=jsonl`, the default) or CSV (`format=csv`).",
    "",
    "Without `end` the range ends now; without `start` it starts 30 days before its end. The other filters are the listing's. Needs a key with the `audit:read` scope.",
    "",
    "CSV follows RFC 4180 (a header line, CRLF line ends, null as an empty field, `metadata` as JSON text); a text field that a spreadsheet would evaluate as a formula gets a leading `'`.",
  ].join("\n"),
  tags: ["Audit"],
  operationId: "exportAuditLogs",
  security: API_KEY_SECURITY,
  querystring: AuditExportQuery,
  response: {
    200: {
      description: "The records of the range, as a file download.",
      content: {
        "application/x-ndjson": { schema: Type.String({ description: "One AuditRecord JSON object per line, each line ending in `\\n`." }) },
        "text/csv": { schema: Type.String({ description: "A header line naming the AuditRecord members but `object`, then one row per record." }) },
      },
      headers: EXPORT_HEADERS,
    },
    ...AUDIT_ERRORS,
  },
};
