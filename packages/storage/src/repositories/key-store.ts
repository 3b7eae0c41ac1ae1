import {
  type ApiKeyRecord,
  type AuditRecord,
  type CreateKeyOutcome,
  type KeyPatch,
  type KeyStore,
  type KeyWithAccount,
  type NewApiKey,
  newId,
  type Page,
} from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { EventWriter } from "./event-writer.js";
import { requireCursor, toPage } from "./pagination.js";
import { serializeList, toAccount, toApiKey } from "./rows.js";

export class KyselyKeyStore implements KeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly writeEvents: EventWriter = async () => undefined,
  ) {}

  async create(input: NewApiKey, maxActiveKeys: number | null, events?: (key: ApiKeyRecord) => readonly AuditRecord[]): Promise<CreateKeyOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const at = this.now();
      // Touching the account row first serialises concurrent creations for one
      // account (a row lock on PostgreSQL; SQLite transactions are serial anyway),
      // so the count below cannot be overtaken.
      await trx.updateTable("accounts").set({ updated_at: at }).where("id", "=", input.accountId).execute();
      if (maxActiveKeys !== null) {
        const active = await this.countActiveWith(trx, input.accountId, at);
        if (active >= maxActiveKeys) return { created: false, reason: "plan_limit_reached", limit: maxActiveKeys } as const;
      }
      const row = {
        id: newId("apiKey"),
        account_id: input.accountId,
        name: input.name,
        mode: input.mode,
        key_hash: input.hash,
        last4: input.last4,
        created_at: at,
        last_used_at: null,
        expires_at: input.expiresAt,
        revoked_at: null,
        rolled_from_id: input.rolledFromId,
        ip_allowlist: serializeList(input.ipAllowlist),
      };
      await trx.insertInto("api_keys").values(row).execute();
      const key = toApiKey(row);
      if (events !== undefined) await this.writeEvents(trx, events(key));
      return { created: true, key } as const;
    });
  }

  async get(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toApiKey(row);
  }

  async findByHash(hash: string): Promise<KeyWithAccount | null> {
    const keyRow = await this.db.selectFrom("api_keys").selectAll().where("key_hash", "=", hash).executeTakeFirst();
    if (keyRow === undefined) return null;
    const accountRow = await this.db.selectFrom("accounts").selectAll().where("id", "=", keyRow.account_id).executeTakeFirst();
    if (accountRow === undefined) return null;
    return { key: toApiKey(keyRow), account: toAccount(accountRow) };
  }

  async listByAccount(accountId: string, options: { limit: number; cursor?: string | null }): Promise<Page<ApiKeyRecord>> {
    const position = requireCursor(options.cursor);
    let query = this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("account_id", "=", accountId)
      .orderBy("created_at")
      .orderBy("id")
      .limit(options.limit + 1);
    if (position !== null) {
      query = query.where((eb) =>
        eb.or([eb("created_at", ">", position.createdAt), eb.and([eb("created_at", "=", position.createdAt), eb("id", ">", position.id)])]),
      );
    }
    return toPage(await query.execute(), options.limit, toApiKey);
  }

  countActive(accountId: string, now: number): Promise<number> {
    return this.countActiveWith(this.db, accountId, now);
  }

  private async countActiveWith(db: Kysely<Database>, accountId: string, now: number): Promise<number> {
    const row = await db
      .selectFrom("api_keys")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("account_id", "=", accountId)
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async update(id: string, patch: KeyPatch, events: readonly AuditRecord[] = []): Promise<ApiKeyRecord | null> {
    const values: Record<string, unknown> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.ipAllowlist !== undefined) values.ip_allowlist = serializeList(patch.ipAllowlist);
    if (patch.expiresAt !== undefined) values.expires_at = patch.expiresAt;
    await this.db.transaction().execute(async (trx) => {
      if (Object.keys(values).length > 0) await trx.updateTable("api_keys").set(values).where("id", "=", id).execute();
      await this.writeEvents(trx, events);
    });
    return this.get(id);
  }

  async revoke(id: string, at: number, events: readonly AuditRecord[] = []): Promise<ApiKeyRecord | null> {
    await this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable("api_keys").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
      if (result.numUpdatedRows > 0n) await this.writeEvents(trx, events);
    });
    return this.get(id);
  }

  async hashOf(id: string): Promise<string | null> {
    const row = await this.db.selectFrom("api_keys").select("key_hash").where("id", "=", id).executeTakeFirst();
    return row?.key_hash ?? null;
  }
}
