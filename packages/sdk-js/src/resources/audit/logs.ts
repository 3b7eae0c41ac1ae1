import { BentooError } from "../../errors.js";
import { Page, PagePromise, parseCursorPage } from "../../pagination.js";
import type { QueryValue, RequestOptions, Transport } from "../../transport.js";
import type { AuditLogExportParams, AuditLogFilters, AuditLogListParams, AuditRecord, Timestamp } from "./types.js";

const EXPORT_ACCEPT = { jsonl: "application/x-ndjson", csv: "text/csv" } as const;

/** `GET /audit/logs` and `GET /audit/logs/export`. */
export class Logs {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Await it for the first page, or `for await` over it to walk every record of the
   * range, following `next_cursor` until `has_more` is false.
   */
  list(params: AuditLogListParams = {}, options?: RequestOptions): PagePromise<AuditRecord> {
    const fetchPage = async (cursor: string | undefined): Promise<Page<AuditRecord>> => {
      const query = { ...filterQuery(params), limit: params.limit };
      const body = await this.#transport.json<unknown>({ method: "GET", path: "/audit/logs", query: { ...query, cursor } }, options);
      return new Page(parseCursorPage<AuditRecord>(body, "GET /audit/logs"), fetchPage);
    };
    return new PagePromise(fetchPage(params.cursor));
  }

  /**
   * Streams a whole range as JSON Lines or CSV. Resolves, once the status is checked,
   * to the `Response` with its body unread: pipe `response.body` to a file.
   */
  async export(params: AuditLogExportParams, options?: RequestOptions): Promise<Response> {
    const accept: string | undefined = EXPORT_ACCEPT[params.format];
    if (accept === undefined) throw new BentooError(`format must be "jsonl" or "csv"; got ${JSON.stringify(params.format)}.`);
    const query = { format: params.format, ...filterQuery(params) };
    return this.#transport.raw({ method: "GET", path: "/audit/logs/export", query, accept: `${accept}, */*;q=0.5` }, options);
  }
}

function filterQuery(params: AuditLogFilters): Record<string, QueryValue> {
  return {
    start: timestamp(params.start, "start"),
    end: timestamp(params.end, "end"),
    key_id: params.key_id,
    model: params.model,
    status: params.status,
    event: params.event,
    endpoint: params.endpoint,
  };
}

function timestamp(value: Timestamp | undefined, name: string): string | undefined {
  if (value === undefined || typeof value === "string") return value;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new BentooError(`${name} must be a valid Date or an RFC 3339 string.`);
  return value.toISOString();
}
