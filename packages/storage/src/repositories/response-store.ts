import type { ResponseStore, StoredResponse } from "@bentoo/core";
import type { Kysely, Selectable } from "kysely";
import type { ResponsesTable } from "../responses-schema.js";
import type { Database } from "../schema.js";

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
 * account's response reads as missing.
 */
export class KyselyResponseStore implements ResponseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async save(response: StoredResponse): Promise<void> {
    await this.db
      .insertInto("responses")
      .values({
        id: response.id,
        account_id: response.accountId,
        model: response.model,
        previous_response_id: response.previousResponseId,
        created_at: response.createdAt,
        input: JSON.stringify(response.input),
        response: JSON.stringify(response.response),
      })
      .execute();
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
