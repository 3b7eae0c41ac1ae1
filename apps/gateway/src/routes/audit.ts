import { Readable } from "node:stream";
import type { AuditPageJson } from "@bentoo/api-types";
import { type AuditQuery, auditRecordToCsvRow, auditRecordToJson, auditRecordToJsonLine, BentooError, csvHeader, isId } from "@bentoo/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  type AuditExportQueryJson,
  type AuditFilterQuery,
  type AuditLogsQueryJson,
  EXPORT_AUDIT_LOGS_SCHEMA,
  LIST_AUDIT_LOGS_SCHEMA,
} from "../openapi/schemas/audit.js";
import type { Services } from "../services.js";

type Filters = Omit<AuditQuery, "limit" | "cursor">;

const DAY = 24 * 3600 * 1000;

/** An RFC 3339 time, or undefined when absent or empty. */
function time(value: unknown, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new BentooError("invalid_request", `${name} must be given once.`, { param: name });
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new BentooError("invalid_request", `${name} must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z.`, { param: name });
  return at;
}

/**
 * The filters shared by listing and export (PRODUCT.md §5), from a query string
 * the route's schema has checked; the usage API passes its raw `start` and `end`
 * alone. The account always comes from the caller.
 */
export function parseFilters(query: Omit<AuditFilterQuery, "start" | "end"> & { start?: unknown; end?: unknown }, accountId: string): Filters {
  const filters: Filters = { accountId };
  const start = time(query.start, "start");
  const end = time(query.end, "end");
  if (start !== undefined) filters.start = start;
  if (end !== undefined) filters.end = end;
  if (start !== undefined && end !== undefined && end <= start) throw new BentooError("invalid_request", "end must be after start.", { param: "end" });
  // The schema let through a key's id or a key ID (4 characters).
  if (query.key_id !== undefined) {
    if (isId("apiKey", query.key_id)) filters.apiKeyId = query.key_id;
    else filters.keyLast4 = query.key_id;
  }
  if (query.model !== undefined) filters.model = query.model;
  if (query.endpoint !== undefined) filters.endpoint = query.endpoint;
  if (query.status !== undefined) filters.status = query.status;
  if (query.event !== undefined) filters.event = query.event;
  if (query.type !== undefined) filters.type = query.type;
  return filters;
}

/**
 * The audit log of the caller's account: a page (`GET …/logs`) or a whole range
 * streamed as JSONL or CSV (`GET …/logs/export`) with bounded memory. Mounted
 * under /v1 (any key of the account) and /api (dashboard session).
 */
export function auditRoutes(app: FastifyInstance, services: Services, prefix: "/v1" | "/api", accountOf: (request: FastifyRequest) => string): void {
  // The scope applies to keys (under /v1); a dashboard session reads its own account's log.
  const config = { scope: "audit:read" } as const;
  const listing = { config, schema: LIST_AUDIT_LOGS_SCHEMA };
  app.get<{ Querystring: AuditLogsQueryJson; Reply: AuditPageJson }>(`${prefix}/audit/logs`, listing, async (request) => {
    const { limit, cursor, order } = request.query;
    const filters = parseFilters(request.query, accountOf(request));
    const page = await services.storage.audit.query({ ...filters, limit, cursor: cursor ?? null, order });
    return {
      object: "list",
      data: page.records.map(auditRecordToJson),
      has_more: page.nextCursor !== null,
      next_cursor: page.nextCursor,
    } satisfies AuditPageJson;
  });

  const exporting = { config, schema: EXPORT_AUDIT_LOGS_SCHEMA };
  app.get<{ Querystring: AuditExportQueryJson }>(`${prefix}/audit/logs/export`, exporting, async (request, reply) => {
    const { format } = request.query;
    const filters = parseFilters(request.query, accountOf(request));
    const end = filters.end ?? services.now();
    const start = filters.start ?? end - 30 * DAY;
    const records = services.storage.audit.iterate({ ...filters, start, end });
    async function* lines() {
      if (format === "csv") yield csvHeader();
      for await (const record of records) yield format === "csv" ? auditRecordToCsvRow(record) : auditRecordToJsonLine(record);
    }
    const name = `bentoo-audit-${new Date(start).toISOString().slice(0, 10)}-${new Date(end).toISOString().slice(0, 10)}.${format}`;
    return reply
      .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8")
      .header("content-disposition", `attachment; filename="${name}"`)
      .header("cache-control", "no-store")
      .send(Readable.from(lines()));
  });
}
