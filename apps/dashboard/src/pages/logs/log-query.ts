import type { AuditFilters } from "../../api/types";

/**
 * The Logs page keeps its filters in the URL (/logs?range=24h&model=…), so a
 * filtered view can be bookmarked and shared. Relative ranges are turned into
 * a fixed [start, end) once per load, and the table and its export use the
 * same fixed range, so an export holds exactly the rows the table pages through.
 */
export const RANGES = [
  { id: "1h", label: "Last hour", ms: 3_600_000 },
  { id: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { id: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
  { id: "custom", label: "Custom range", ms: 0 },
] as const;

export type RangeId = (typeof RANGES)[number]["id"];

export interface LogQuery {
  range: RangeId;
  /** Custom range bounds as datetime-local values (local time), used when range = custom. */
  from: string;
  to: string;
  keyId: string;
  model: string;
  endpoint: string;
  status: string;
  event: string;
}

function isRange(value: string | null): value is RangeId {
  return RANGES.some((range) => range.id === value);
}

export function queryFromSearch(search: URLSearchParams): LogQuery {
  const range = search.get("range");
  return {
    range: isRange(range) ? range : "24h",
    from: search.get("from") ?? "",
    to: search.get("to") ?? "",
    keyId: search.get("key_id") ?? "",
    model: search.get("model") ?? "",
    endpoint: search.get("endpoint") ?? "",
    status: search.get("status") ?? "",
    event: search.get("event") ?? "",
  };
}

export function searchFromQuery(query: LogQuery): string {
  const params = new URLSearchParams();
  params.set("range", query.range);
  if (query.range === "custom") {
    if (query.from !== "") params.set("from", query.from);
    if (query.to !== "") params.set("to", query.to);
  }
  if (query.keyId !== "") params.set("key_id", query.keyId);
  if (query.model !== "") params.set("model", query.model);
  if (query.endpoint !== "") params.set("endpoint", query.endpoint);
  if (query.status !== "") params.set("status", query.status);
  if (query.event !== "") params.set("event", query.event);
  return params.toString();
}

function localToIso(value: string): string | undefined {
  if (value === "") return undefined;
  const time = new Date(value).getTime();
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The API filters for a query, with relative ranges fixed against `now`. */
export function resolveFilters(query: LogQuery, now: number): AuditFilters {
  const filters: AuditFilters = {};
  if (query.range === "custom") {
    const start = localToIso(query.from);
    const end = localToIso(query.to);
    if (start !== undefined) filters.start = start;
    if (end !== undefined) filters.end = end;
  } else {
    const span = RANGES.find((range) => range.id === query.range)?.ms ?? 86_400_000;
    // One second past now, so a request made this very second is inside the range.
    const end = Math.ceil(now / 1000) * 1000 + 1000;
    filters.start = new Date(end - span).toISOString();
    filters.end = new Date(end).toISOString();
  }
  if (query.keyId !== "") filters.key_id = query.keyId;
  if (query.model !== "") filters.model = query.model;
  if (query.endpoint !== "") filters.endpoint = query.endpoint;
  if (query.status !== "") filters.status = query.status;
  if (query.event !== "") filters.event = query.event;
  return filters;
}
