import { Readable } from "node:stream";
import type { AuditPageJson } from "@bentoo/api-types";
import {
  AUDIT_QUERY_MAX_LIMIT,
  type AuditQuery,
  auditRecordToCsvRow,
  auditRecordToJson,
  auditRecordToJsonLine,
  BentooError,
  csvHeader,
  isAuditEvent,
  isAuditRecordType,
  isId,
} from "@bentoo/core";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { pageLimit } from "../http/page-limit.js";
import type { Services } from "../services.js";

type Query = Record<string, unknown>;
type Filters = Omit<AuditQuery, "limit" | "cursor">;

const DAY = 24 * 3600 * 1000;

function text(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw new BentooError("invalid_request", `${name} must be given once.`, { param: name });
  return value;
}

function time(query: Query, name: string): number | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new BentooError("invalid_request", `${name} must be an RFC 3339 timestamp such as 2026-11-01T00:00:00Z.`, { param: name });
  return at;
}

/** Parses the filters shared by listing and export (PRODUCT.md §5); the account always comes from the caller. */
export function parseFilters(query: Query, accountId: string): Filters {
  const filters: Filters = { accountId };
  const start = time(query, "start");
  const end = time(query, "end");
  if (start !== undefined) filters.start = start;
  if (end !== undefined) filters.end = end;
  if (start !== undefined && end !== undefined && end <= start) throw new BentooError("invalid_request", "end must be after start.", { param: "end" });
  const key = text(query, "key_id");
  if (key !== undefined) {
    if (isId("apiKey", key)) filters.apiKeyId = key;
    else if (/^[0-9A-Za-z]{4}$/.test(key)) filters.keyLast4 = key;
    else throw new BentooError("invalid_request", "key_id must be a key ID (its last 4 characters) or a key's id (key_…).", { param: "key_id" });
  }
  const model = text(query, "model");
  if (model !== undefined) filters.model = model;
  const endpoint = text(query, "endpoint");
  if (endpoint !== undefined) {
    if (!endpoint.startsWith("/") || endpoint.length > 128)
      throw new BentooError("invalid_request", "endpoint must be a route path such as /v1/chat/completions.", { param: "endpoint" });
    filters.endpoint = endpoint;
  }
  const status = text(query, "status");
  if (status !== undefined) {
    const code = Number(status);
    if (!Number.isInteger(code) || code < 100 || code > 599)
      throw new BentooError("invalid_request", "status must be an HTTP status code such as 200 or 429.", { param: "status" });
    filters.status = code;
  }
  const event = text(query, "event");
  if (event !== undefined) {
    if (!isAuditEvent(event))
      throw new BentooError("invalid_request", `event must be one of the documented event names, e.g. api.request or key.revoked.`, { param: "event" });
    filters.event = event;
  }
  const type = text(query, "type");
  if (type !== undefined) {
    if (!isAuditRecordType(type)) throw new BentooError("invalid_request", "type must be request or event.", { param: "type" });
    filters.type = type;
  }
  return filters;
}

/**
 * The audit log of the caller's account: a page (`GET …/logs`) or a whole range
 * streamed as JSONL or CSV (`GET …/logs/export`) with bounded memory. Mounted
 * under /v1 (any key of the account) and /api (dashboard session).
 */
export function auditRoutes(app: FastifyInstance, services: Services, prefix: "/v1" | "/api", accountOf: (request: FastifyRequest) => string): void {
  app.get<{ Querystring: Query; Reply: AuditPageJson }>(`${prefix}/audit/logs`, async (request) => {
    const filters = parseFilters(request.query, accountOf(request));
    const page = await services.storage.audit.query({
      ...filters,
      limit: pageLimit(request.query, AUDIT_QUERY_MAX_LIMIT),
      cursor: text(request.query, "cursor") ?? null,
    });
    return {
      object: "list",
      data: page.records.map(auditRecordToJson),
      has_more: page.nextCursor !== null,
      next_cursor: page.nextCursor,
    } satisfies AuditPageJson;
  });

  app.get<{ Querystring: Query }>(`${prefix}/audit/logs/export`, async (request, reply) => {
    const format = text(request.query, "format") ?? "jsonl";
    if (format !== "jsonl" && format !== "csv") throw new BentooError("invalid_request", "format must be jsonl or csv.", { param: "format" });
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
