import { type Account, type AccountPatch, type AccountStore, type AuditRecord, type NewAccount, newId, type Page } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import { BALANCE_ALERT_COLUMNS, settleBalanceAlert } from "../webhooks/balance-alerts.js";
import { raiseWebhookEvents } from "../webhooks/raise-events.js";
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
      low_balance_threshold_micros: null,
      low_balance_alerted: 0,
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
    if (patch.lowBalanceThresholdMicros !== undefined) values.low_balance_threshold_micros = patch.lowBalanceThresholdMicros;
    const updated = await this.db.transaction().execute(async (trx) => {
      const state = await trx.updateTable("accounts").set(values).where("id", "=", id).returning(BALANCE_ALERT_COLUMNS).executeTakeFirst();
      if (state === undefined) return false;
      await this.writeEvents(trx, events);
      // A new threshold the balance is already below raises balance.low now; one it is above re-arms the alert.
      if (patch.lowBalanceThresholdMicros !== undefined) {
        const event = await settleBalanceAlert(trx, id, state, values.updated_at as number);
        if (event !== null) await raiseWebhookEvents(trx, [event], values.updated_at as number);
      }
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
