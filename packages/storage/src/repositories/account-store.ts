import { type Account, type AccountPatch, type AccountStore, type AuditRecord, type NewAccount, newId, type Page } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { EventWriter } from "./event-writer.js";
import { requireCursor, toPage } from "./pagination.js";
import { serializeList, toAccount } from "./rows.js";

export class KyselyAccountStore implements AccountStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
    private readonly writeEvents: EventWriter = async () => undefined,
  ) {}

  async create(input: NewAccount, events: (account: Account) => readonly AuditRecord[] = () => []): Promise<Account | null> {
    const at = this.now();
    const row = {
      id: newId("account"),
      email: input.email.toLowerCase(),
      password_hash: input.passwordHash,
      plan: input.plan,
      rpm_limit: null,
      tpm_limit: null,
      balance_micros: 0,
      ip_allowlist: null,
      created_at: at,
      updated_at: at,
    };
    return this.db.transaction().execute(async (trx) => {
      // A taken email inserts nothing (no error to tell apart per dialect); a concurrent
      // creation of the same email waits for the first to commit, then inserts nothing.
      const inserted = await trx
        .insertInto("accounts")
        .values(row)
        .onConflict((conflict) => conflict.column("email").doNothing())
        .returning("id")
        .executeTakeFirst();
      if (inserted === undefined) return null;
      const account = toAccount(row);
      await this.writeEvents(trx, events(account));
      return account;
    });
  }

  async get(id: string): Promise<Account | null> {
    const row = await this.db.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirst();
    return row === undefined ? null : toAccount(row);
  }

  async getByEmail(email: string): Promise<Account | null> {
    const row = await this.db.selectFrom("accounts").selectAll().where("email", "=", email.toLowerCase()).executeTakeFirst();
    return row === undefined ? null : toAccount(row);
  }

  async passwordHashOf(email: string): Promise<string | null> {
    const row = await this.db.selectFrom("accounts").select("password_hash").where("email", "=", email.toLowerCase()).executeTakeFirst();
    return row?.password_hash ?? null;
  }

  async update(id: string, patch: AccountPatch, events: readonly AuditRecord[] = []): Promise<Account | null> {
    const values: Record<string, unknown> = { updated_at: this.now() };
    if (patch.plan !== undefined) values.plan = patch.plan;
    if (patch.rpmLimit !== undefined) values.rpm_limit = patch.rpmLimit;
    if (patch.tpmLimit !== undefined) values.tpm_limit = patch.tpmLimit;
    if (patch.ipAllowlist !== undefined) values.ip_allowlist = serializeList(patch.ipAllowlist);
    const updated = await this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable("accounts").set(values).where("id", "=", id).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await this.writeEvents(trx, events);
      return true;
    });
    return updated ? this.get(id) : null;
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("accounts")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async list(options: { limit: number; cursor?: string | null }): Promise<Page<Account>> {
    const position = requireCursor(options.cursor);
    let query = this.db
      .selectFrom("accounts")
      .selectAll()
      .orderBy("created_at")
      .orderBy("id")
      .limit(options.limit + 1);
    if (position !== null) {
      query = query.where((eb) =>
        eb.or([eb("created_at", ">", position.createdAt), eb.and([eb("created_at", "=", position.createdAt), eb("id", ">", position.id)])]),
      );
    }
    return toPage(await query.execute(), options.limit, toAccount);
  }
}
