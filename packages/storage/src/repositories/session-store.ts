import type { SessionRecord, SessionStore } from "@bentoo/core";
import type { Kysely, Selectable } from "kysely";
import type { Database } from "../schema.js";
import type { SessionsTable } from "../sessions-schema.js";

function toSession(row: Selectable<SessionsTable>): SessionRecord {
  return {
    id: row.id,
    tokenHash: row.token_hash,
    accountId: row.account_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    sourceIp: row.source_ip,
    userAgent: row.user_agent,
  };
}

export class KyselySessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: SessionRecord): Promise<void> {
    await this.db
      .insertInto("sessions")
      .values({
        id: session.id,
        token_hash: session.tokenHash,
        account_id: session.accountId,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
        source_ip: session.sourceIp,
        user_agent: session.userAgent?.slice(0, 512) ?? null,
      })
      .execute();
  }

  async findByTokenHash(tokenHash: string, now: number): Promise<SessionRecord | null> {
    const row = await this.db.selectFrom("sessions").selectAll().where("token_hash", "=", tokenHash).where("expires_at", ">", now).executeTakeFirst();
    return row === undefined ? null : toSession(row);
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", id).execute();
  }

  async deleteForAccount(accountId: string): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("account_id", "=", accountId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
