import {
  AUDIT_QUERY_MAX_LIMIT,
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  BentooError,
  type KeyActivity,
  type UsageBucket,
  type UsageOptions,
} from "@bentoo/core";
import { type Kysely, type Selectable, type SelectQueryBuilder, sql } from "kysely";
import type { AuditLogTable } from "../audit-schema.js";
import { type CursorPosition, encodeCursor } from "../cursor.js";
import type { Database } from "../schema.js";
import { fromAuditRow } from "./audit-row-reader.js";
import { requireCursor } from "./pagination.js";
import type { KyselyUsageReader } from "./usage-reader.js";

type AuditFilters = Omit<AuditQuery, "limit" | "cursor" | "order">;
type AuditSelect = SelectQueryBuilder<Database, "audit_log", Selectable<AuditLogTable>>;

/** Page size of `iterate`: memory stays at one page however long the range. */
const ITERATE_PAGE_SIZE = 1000;
/** At most this many ids in one `IN (…)` list. */
const ID_LIST_CHUNK = 500;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

function requireInteger(value: number | undefined, param: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new BentooError("invalid_request", `${param} must be an integer between ${min} and ${max}.`, { param });
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/**
 * The audit log's read side and retention over Kysely, the same SQL on SQLite
 * and PostgreSQL (records are written by writeRecordBatch; usage is read from
 * its rollups by KyselyUsageReader). Reads are
 * always scoped to one account and walk the (timestamp, id) order by keyset,
 * so a page never costs more than its size whatever the depth.
 */
export class KyselyAuditStore implements AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly usageReader: KyselyUsageReader,
  ) {}

  async query(query: AuditQuery): Promise<AuditPage> {
    requireInteger(query.limit, "limit", 1, AUDIT_QUERY_MAX_LIMIT);
    const position = requireCursor(query.cursor);
    const rows = await this.page(query, position, query.limit + 1, query.order === "desc");
    const hasMore = rows.length > query.limit;
    const pageRows = hasMore ? rows.slice(0, query.limit) : rows;
    const last = pageRows.at(-1);
    return {
      records: pageRows.map(fromAuditRow),
      nextCursor: hasMore && last !== undefined ? encodeCursor({ createdAt: last.timestamp, id: last.id }) : null,
    };
  }

  async *iterate(query: AuditFilters): AsyncIterable<AuditRecord> {
    let position: CursorPosition | null = null;
    for (;;) {
      const rows = await this.page(query, position, ITERATE_PAGE_SIZE);
      for (const row of rows) yield fromAuditRow(row);
      const last = rows.at(-1);
      if (rows.length < ITERATE_PAGE_SIZE || last === undefined) return;
      position = { createdAt: last.timestamp, id: last.id };
    }
  }

  private page(filters: AuditFilters, position: CursorPosition | null, limit: number, descending = false): Promise<Selectable<AuditLogTable>[]> {
    if (descending) return this.pageBackwards(filters, position, limit);
    if (position === null) return this.filtered(filters).orderBy("timestamp").orderBy("id").limit(limit).execute();
    // The tighter of `start` and the cursor is the only lower bound on timestamp:
    // SQLite seeks the index on one bound per column and filters the others, so
    // a separate `start` would make every deep page rescan from the start.
    const start = Math.max(filters.start ?? position.createdAt, position.createdAt);
    const query = this.filtered({ ...filters, start }).where((eb) => eb(eb.refTuple("timestamp", "id"), ">", eb.tuple(position.createdAt, position.id)));
    return query.orderBy("timestamp").orderBy("id").limit(limit).execute();
  }

  /** Newest first: the same keyset walk from the other end of the index (the cursor's time is the tighter upper bound). */
  private pageBackwards(filters: AuditFilters, position: CursorPosition | null, limit: number): Promise<Selectable<AuditLogTable>[]> {
    let query = this.filtered(position === null ? filters : { ...filters, end: Math.min(filters.end ?? position.createdAt + 1, position.createdAt + 1) });
    if (position !== null) query = query.where((eb) => eb(eb.refTuple("timestamp", "id"), "<", eb.tuple(position.createdAt, position.id)));
    return query.orderBy("timestamp", "desc").orderBy("id", "desc").limit(limit).execute();
  }

  private filtered(filters: AuditFilters): AuditSelect {
    requireInteger(filters.start, "start");
    requireInteger(filters.end, "end");
    requireInteger(filters.status, "status");
    let query = this.db.selectFrom("audit_log").selectAll().where("account_id", "=", filters.accountId);
    if (filters.start !== undefined) query = query.where("timestamp", ">=", filters.start);
    if (filters.end !== undefined) query = query.where("timestamp", "<", filters.end);
    if (filters.apiKeyId !== undefined) query = query.where("api_key_id", "=", filters.apiKeyId);
    if (filters.keyLast4 !== undefined) query = query.where("key_last4", "=", filters.keyLast4);
    if (filters.model !== undefined) query = query.where("model", "=", filters.model);
    if (filters.endpoint !== undefined) query = query.where("endpoint", "=", filters.endpoint);
    if (filters.status !== undefined) query = query.where("status", "=", filters.status);
    if (filters.event !== undefined) query = query.where("event", "=", filters.event);
    if (filters.type !== undefined) query = query.where("type", "=", filters.type);
    return query;
  }

  usage(options: UsageOptions): Promise<UsageBucket[]> {
    return this.usageReader.usage(options);
  }

  purgeUsageOlderThan(cutoff: number): Promise<number> {
    return this.usageReader.purgeOlderThan(cutoff);
  }

  async keyActivity(accountId: string, now: number, apiKeyIds?: readonly string[]): Promise<KeyActivity[]> {
    requireInteger(now, "now");
    const ids =
      apiKeyIds ??
      (await this.db.selectFrom("api_keys").select("id").where("account_id", "=", accountId).orderBy("created_at").orderBy("id").execute()).map(
        (row) => row.id,
      );
    if (ids.length === 0) return [];
    const counts = new Map<string, { hour: number; day: number }>();
    for (const idChunk of chunks(ids, ID_LIST_CHUNK)) {
      const rows = await this.db
        .selectFrom("audit_log")
        .select([
          "api_key_id",
          sql<number>`count(*)`.as("day"),
          sql<number>`sum(case when ${sql.ref("timestamp")} >= ${now - HOUR_MS} then 1 else 0 end)`.as("hour"),
        ])
        .where("account_id", "=", accountId)
        .where("api_key_id", "in", idChunk)
        .where("type", "=", "request")
        .where("timestamp", ">=", now - DAY_MS)
        .where("timestamp", "<", now)
        .groupBy("api_key_id")
        .execute();
      for (const row of rows) if (row.api_key_id !== null) counts.set(row.api_key_id, { hour: Number(row.hour), day: Number(row.day) });
    }
    // Last use per key: one index seek from the end of (account_id, api_key_id, timestamp)
    // each, rather than a max() that would read every record of every key.
    const lastUsed = await Promise.all(ids.map((id) => this.lastUsedAt(accountId, id)));
    return ids.map((id, index) => ({
      apiKeyId: id,
      lastUsedAt: lastUsed[index] ?? null,
      requestsLastHour: counts.get(id)?.hour ?? 0,
      requestsLast24h: counts.get(id)?.day ?? 0,
    }));
  }

  private async lastUsedAt(accountId: string, apiKeyId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom("audit_log")
      .select("timestamp")
      .where("account_id", "=", accountId)
      .where("api_key_id", "=", apiKeyId)
      .where("type", "=", "request")
      .orderBy("timestamp", "desc")
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : row.timestamp;
  }

  /** Default batch of 1000: on SQLite a delete runs on the event loop (better-sqlite3 is synchronous), ~10–30 ms per 1000 rows. */
  async purgeOlderThan(cutoff: number, batchSize = 1000): Promise<number> {
    requireInteger(cutoff, "cutoff");
    requireInteger(batchSize, "batchSize", 1);
    let deleted = 0;
    for (;;) {
      // Each batch deletes a timestamp range found on the (timestamp) index:
      // up to the timestamp of the batchSize-th oldest row (rows sharing it go
      // along). Bounded statements keep each transaction, and SQLite's write
      // lock, short, so request-path inserts interleave with a large purge.
      // (A `DELETE … WHERE id IN (SELECT … LIMIT n)` would be simpler, but
      // PostgreSQL plans it as a hash semi-join over the whole table.)
      const boundary = await this.db
        .selectFrom("audit_log")
        .select("timestamp")
        .where("timestamp", "<", cutoff)
        .orderBy("timestamp")
        .limit(1)
        .offset(batchSize - 1)
        .executeTakeFirst();
      const upTo = boundary === undefined ? cutoff : Math.min(boundary.timestamp + 1, cutoff);
      const result = await this.db.deleteFrom("audit_log").where("timestamp", "<", upTo).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      if (boundary === undefined) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
