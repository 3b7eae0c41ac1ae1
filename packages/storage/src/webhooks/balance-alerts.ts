import { balanceLowEvent, lowBalanceTransition, type WebhookEventDraft } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** What an account row says about its low-balance alert. */
export interface BalanceAlertState {
  balance_micros: number;
  low_balance_threshold_micros: number | null;
  low_balance_alerted: number;
}

/**
 * Moves an account's alert state after its balance or threshold changed (inside
 * the caller's transaction) and returns the `balance.low` draft to raise, if
 * this change is the one that found the balance below the threshold.
 */
export async function settleBalanceAlert(trx: Kysely<Database>, accountId: string, state: BalanceAlertState, at: number): Promise<WebhookEventDraft | null> {
  const wasAlerted = state.low_balance_alerted === 1;
  const next = lowBalanceTransition(state.balance_micros, state.low_balance_threshold_micros, wasAlerted);
  if (next.alerted !== wasAlerted) {
    await trx
      .updateTable("accounts")
      .set({ low_balance_alerted: next.alerted ? 1 : 0 })
      .where("id", "=", accountId)
      .execute();
  }
  return next.raise && state.low_balance_threshold_micros !== null
    ? balanceLowEvent(accountId, state.balance_micros, state.low_balance_threshold_micros, at)
    : null;
}

/** The columns `settleBalanceAlert` reads, for a RETURNING or a SELECT. */
export const BALANCE_ALERT_COLUMNS = ["balance_micros", "low_balance_threshold_micros", "low_balance_alerted"] as const;
