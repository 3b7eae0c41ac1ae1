import type { ResponseStore, StoredResponse } from "@bentoo/core";
import type { Insertable, Kysely, Selectable } from "kysely";
import type { ResponsesTable } from "../responses-schema.js";
import type { Database } from "../schema.js";

/** A stored response as its row: the JSON written as text. */
export function responseRow(response: StoredResponse): Insertable<ResponsesTable> {
  return {
    id: response.id,
    account_id: response.accountId,
    model: response.model,
    previous_response_id: response.previousResponseId,
    created_at: response.createdAt,
    input: JSON.stringify(response.input),
    response: JSON.stringify(response.response),
  };
}

/** Inserts a stored response's row (on whichever connection `db` is: the main one, or the SQLite writer thread's). */
export async function insertResponseRow(db: Kysely<Database>, row: Insertable<ResponsesTable>): Promise<void> {
  await db.insertInto("responses").values(row).execute();
}

/** Where the embedded mode writes off the event loop (sqlite/writer-thread.ts), while it is available. */
export interface ResponseRowWriter {
  readonly available: boolean;
  saveResponse(row: Insertable<ResponsesTable>): Promise<void>;
}

function toStored(row: Selectable<ResponsesTable>): StoredResponse {
  return {
    id: row.id,
    accountId: row.account_id,
    model: row.model,
    createdAt: Number(row.created_at),
    previousResponseId: row.previous_response_id,
    input: JSON.parse(row.input) as unknown[],
    response: JSON.parse(row.response) as Record<string, unknown>,
  };
}

/**
 * Stored Responses API responses over Kysely, the same SQL on SQLite and
 * PostgreSQL. Every read and delete is scoped to the account, so another
 * account's response reads as missing. A response is saved on the request
 * path: on a SQLite file it is written by the writer thread, so that the event
 * loop never waits for SQLite's write lock while the thread commits a batch.
 */
export class KyselyResponseStore implements ResponseStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly writer: ResponseRowWriter | null = null,
  ) {}

  async save(response: StoredResponse): Promise<void> {
    const row = responseRow(response);
    if (this.writer?.available === true) await this.writer.saveResponse(row);
    else await insertResponseRow(this.db, row);
  }

  async get(accountId: string, id: string): Promise<StoredResponse | null> {
    const row = await this.db.selectFrom("responses").selectAll().where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
    return row === undefined ? null : toStored(row);
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom("responses").where("id", "=", id).where("account_id", "=", accountId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** In batches of `batchSize` rows (found on the created_at index), so that a large purge never holds SQLite's write lock for long. */
  async purgeOlderThan(cutoff: number, batchSize = 500): Promise<number> {
    let deleted = 0;
    for (;;) {
      const batch = await this.db.selectFrom("responses").select("id").where("created_at", "<", cutoff).orderBy("created_at").limit(batchSize).execute();
      if (batch.length === 0) return deleted;
      const result = await this.db
        .deleteFrom("responses")
        .where(
          "id",
          "in",
          batch.map((row) => row.id),
        )
        .executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      if (batch.length < batchSize) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
