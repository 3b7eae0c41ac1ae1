import type { KeySpendJson } from "@bentoo/api-types";
import { type ApiKeyRecord, type KeyStore, spendWindow } from "@bentoo/core";
import { presentSpend } from "../http/presenters.js";

/**
 * What a key's spend cap counted in the period `now` falls in, as storage has
 * it (settled charges; a request still running, or a charge the record writer
 * has not written yet, is not in it). Null for a key without a cap.
 */
export async function keySpend(keys: Pick<KeyStore, "spentInWindow">, key: ApiKeyRecord, now: number): Promise<KeySpendJson | null> {
  if (key.spendCap === null) return null;
  const window = spendWindow(key.spendCap.period, now);
  return presentSpend(key.spendCap, window, await keys.spentInWindow(key.accountId, key.lineageId, window));
}
