import { type LedgerEntry, type RecordBatch, type RecordWriteResult, type WebhookEventDraft, webhookEventOf } from "@bentoo/core";
import { type Kysely, sql } from "kysely";
import type { Database } from "../schema.js";
import { BALANCE_ALERT_COLUMNS, settleBalanceAlert } from "../webhooks/balance-alerts.js";
import { raiseWebhookEvents } from "../webhooks/raise-events.js";
import type { RecordInserts } from "./record-inserts.js";
import { dailyUsageRows, hourlyUsageRows } from "./usage-rows.js";

/**
 * The one function that writes audit_log and credit_ledger rows and moves
 * balances by ledger rows. Every writer goes through it: the batched
 * RecordWriter (request records and charges), management events inside the
 * transaction of the change they describe, and operator grants.
 *
 * Given a transaction it runs inside it, so the records commit or roll back with
 * the caller's change; given the database it opens one. Steps, in order:
 * 1. insert the audit records not stored yet;
 * 2. insert the ledger rows not stored yet;
 * 3. add the request records step 1 inserted to the usage rollups (per
 *    account, key, model and hour, and the same hours summed per day), so a
 *    batch sent twice counts once (docs/usage.md);
 * 4. move each account's balance by the sum of the ledger rows step 2 inserted
 *    (and its low-balance alert state with it);
 * 5. raise the webhook events what steps 1 and 4 did stands for: key lifecycle
 *    events, refused requests, a balance found below its threshold
 *    (docs/webhooks.md) — in the same transaction, from inserted rows only, so
 *    each is raised once however often the batch is sent.
 * Resolves with the ids of the ledger rows step 2 inserted.
 */
export async function writeRecordBatch(db: Kysely<Database>, inserts: RecordInserts, batch: RecordBatch, at: number): Promise<RecordWriteResult> {
  if (batch.audit.length === 0 && batch.ledger.length === 0) return { ledgerInserted: [] };
  if (!db.isTransaction) return db.transaction().execute((trx) => writeRecordBatch(trx, inserts, batch, at));
  const audited = await inserts.audit(db, batch.audit);
  const inserted = await inserts.ledger(db, batch.ledger);
  const hourly = hourlyUsageRows(audited);
  await inserts.usage(db, "usage_hourly", hourly);
  await inserts.usage(db, "usage_daily", dailyUsageRows(hourly));
  const events = await moveBalances(db, inserted, at);
  for (const record of audited) {
    const event = webhookEventOf(record);
    if (event !== null) events.push(event);
  }
  await raiseWebhookEvents(db, events, at);
  return { ledgerInserted: inserted.map((entry) => entry.id) };
}

/** Moves the balances; returns the `balance.low` events of the accounts it took below their threshold. */
async function moveBalances(trx: Kysely<Database>, inserted: readonly LedgerEntry[], at: number): Promise<WebhookEventDraft[]> {
  const events: WebhookEventDraft[] = [];
  const totals = new Map<string, number>();
  for (const entry of inserted) totals.set(entry.accountId, (totals.get(entry.accountId) ?? 0) + entry.amountMicros);
  // Accounts in a fixed order, so concurrent batches cannot deadlock on their row locks.
  for (const accountId of [...totals.keys()].sort()) {
    const delta = totals.get(accountId) ?? 0;
    if (delta === 0) continue;
    const state = await trx
      .updateTable("accounts")
      .set({ balance_micros: sql<number>`balance_micros + ${delta}`, updated_at: at })
      .where("id", "=", accountId)
      .returning(BALANCE_ALERT_COLUMNS)
      .executeTakeFirst();
    const event = state === undefined ? null : await settleBalanceAlert(trx, accountId, state, at);
    if (event !== null) events.push(event);
  }
  return events;
}
