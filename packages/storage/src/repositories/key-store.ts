import {
  type ApiKeyRecord,
  type AuditRecord,
  type CreateKeyOutcome,
  type KeyPatch,
  type KeyStore,
  type KeyWithAccount,
  keyStatus,
  type NewApiKey,
  newId,
  type Page,
  type RollKeyInput,
  type RollKeyOutcome,
  type SpendWindow,
} from "@bentoo/core";
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";
import type { EventWriter } from "./event-writer.js";
import { requireCursor, toPage } from "./pagination.js";
import { controlColumns, serializeList, toAccount, toApiKey } from "./rows.js";

export class KyselyKeyStore implements KeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly writeEvents: EventWriter = async () => undefined,
  ) {}

  async create(input: NewApiKey, maxActiveKeys: number | null, events?: (key: ApiKeyRecord) => readonly AuditRecord[]): Promise<CreateKeyOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const at = this.now();
      await lockAccount(trx, input.accountId, at);
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
        scopes: JSON.stringify(input.scopes),
        rpm_limit: input.rpmLimit,
        tpm_limit: input.tpmLimit,
        spend_cap_micros: input.spendCap?.amountMicros ?? null,
        spend_cap_period: input.spendCap?.period ?? null,
        models: serializeList(input.models),
        lineage_id: null,
      };
      await trx.insertInto("api_keys").values(row).execute();
      const key = toApiKey(row);
      if (events !== undefined) await this.writeEvents(trx, events(key));
      return { created: true, key } as const;
    });
  }

  async roll(
    input: RollKeyInput,
    maxActiveKeys: number | null,
    events: (replacement: ApiKeyRecord, previous: ApiKeyRecord) => readonly AuditRecord[],
  ): Promise<RollKeyOutcome> {
    const owner = await this.db.selectFrom("api_keys").select("account_id").where("id", "=", input.keyId).executeTakeFirst();
    if (owner === undefined || (input.accountId !== undefined && owner.account_id !== input.accountId)) return { rolled: false, reason: "not_found" };
    return this.db.transaction().execute(async (trx): Promise<RollKeyOutcome> => {
      const at = this.now();
      await lockAccount(trx, owner.account_id, at);
      // Read again under the lock: a concurrent roll of this key has committed by now.
      const row = await trx.selectFrom("api_keys").selectAll().where("id", "=", input.keyId).executeTakeFirst();
      if (row === undefined) return { rolled: false, reason: "not_found" };
      const old = toApiKey(row);
      if (keyStatus(old, at) !== "active") return { rolled: false, reason: "not_active", key: old };
      const successors = (
        await trx.selectFrom("api_keys").selectAll().where("account_id", "=", old.accountId).where("rolled_from_id", "=", old.id).execute()
      ).map(toApiKey);
      const pending = successors.find((key) => keyStatus(key, at) === "active");
      if (pending !== undefined) return { rolled: false, reason: "already_rolled", key: old, replacement: pending };

      const revokedAt = input.graceMs === 0 ? at : null;
      const expiresAt = input.graceMs === null || input.graceMs === 0 ? old.expiresAt : Math.min(old.expiresAt ?? Number.POSITIVE_INFINITY, at + input.graceMs);
      // The replacement always counts; the roll adds a counted key unless the old one stops counting.
      const countedBefore = old.expiresAt === null || successors.length === 0;
      const countedAfter = revokedAt === null && expiresAt === null;
      if (maxActiveKeys !== null && !(countedBefore && !countedAfter)) {
        const active = await this.countActiveWith(trx, old.accountId, at);
        if (active >= maxActiveKeys) return { rolled: false, reason: "plan_limit_reached", limit: maxActiveKeys };
      }
      const replacementRow = {
        ...row,
        id: newId("apiKey"),
        key_hash: input.hash,
        last4: input.last4,
        created_at: at,
        last_used_at: null,
        revoked_at: null,
        rolled_from_id: old.id,
        // The replacement counts against the same spend cap as the key it replaces.
        lineage_id: old.lineageId,
      };
      await trx.insertInto("api_keys").values(replacementRow).execute();
      await trx.updateTable("api_keys").set({ revoked_at: revokedAt, expires_at: expiresAt }).where("id", "=", old.id).execute();
      const replacement = toApiKey(replacementRow);
      const previous = { ...old, revokedAt, expiresAt };
      await this.writeEvents(trx, events(replacement, previous));
      return { rolled: true, replacement, previous };
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

  /** Keys that count against the cap: not revoked, not expired, and not in a roll's grace period (rolled and expiring). */
  private async countActiveWith(db: Kysely<Database>, accountId: string, now: number): Promise<number> {
    const row = await db
      .selectFrom("api_keys as key")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("key.account_id", "=", accountId)
      .where("key.revoked_at", "is", null)
      .where((eb) =>
        eb.or([
          eb("key.expires_at", "is", null),
          eb.and([
            eb("key.expires_at", ">", now),
            // Scoped to the account so the look-up uses its index.
            eb.not(
              eb.exists(
                eb
                  .selectFrom("api_keys as successor")
                  .select("successor.id")
                  .where("successor.account_id", "=", accountId)
                  .whereRef("successor.rolled_from_id", "=", "key.id"),
              ),
            ),
          ]),
        ]),
      )
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async update(id: string, patch: KeyPatch, events: readonly AuditRecord[] = []): Promise<ApiKeyRecord | null> {
    const values: Record<string, unknown> = {};
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.ipAllowlist !== undefined) values.ip_allowlist = serializeList(patch.ipAllowlist);
    if (patch.expiresAt !== undefined) values.expires_at = patch.expiresAt;
    Object.assign(values, controlColumns(patch));
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

  async spentInWindow(accountId: string, lineageId: string, window: SpendWindow): Promise<number> {
    let query = this.db
      .selectFrom("credit_ledger")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount_micros"), sql<number>`0`).as("total"))
      .where("kind", "=", "charge")
      .where("api_key_id", "in", (eb) =>
        eb
          .selectFrom("api_keys")
          .select("id")
          .where("account_id", "=", accountId)
          .where((key) => key.or([key("id", "=", lineageId), key("lineage_id", "=", lineageId)])),
      )
      .where("admitted_at", ">=", window.start);
    if (window.end !== null) query = query.where("admitted_at", "<", window.end);
    const row = await query.executeTakeFirstOrThrow();
    // Charges are negative rows.
    return 0 - Number(row.total);
  }

  async hashOf(id: string): Promise<string | null> {
    const row = await this.db.selectFrom("api_keys").select("key_hash").where("id", "=", id).executeTakeFirst();
    return row?.key_hash ?? null;
  }
}

/**
 * Touching the account row first serialises creations and rolls for one account
 * (a row lock on PostgreSQL; SQLite transactions begin immediate, so they are
 * serial anyway): the checks that follow cannot be overtaken.
 */
async function lockAccount(trx: Kysely<Database>, accountId: string, at: number): Promise<void> {
  await trx.updateTable("accounts").set({ updated_at: at }).where("id", "=", accountId).execute();
}
