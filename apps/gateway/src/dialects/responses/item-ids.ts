import { isId } from "@bentoo/core";

/**
 * Ids of a response's output items, made from the response's id and the item's
 * place in its output (`msg_<response>_0`, `fc_<response>_1`, `rs_…`): an
 * `item_reference` to one names the stored response it lives in, so it is
 * resolved with one look-up by primary key and needs no index of its own.
 */
const PREFIX = { message: "msg", function_call: "fc", reasoning: "rs" } as const;
const RESPONSE_PREFIX = "resp_";
const ITEM_ID = /^(msg|fc|rs)_([0-9A-Za-z]{20})_(\d{1,4})$/;

export type OutputItemType = keyof typeof PREFIX;

export function outputItemId(responseId: string, type: OutputItemType, index: number): string {
  return `${PREFIX[type]}_${responseId.slice(RESPONSE_PREFIX.length)}_${index}`;
}

/** The stored response an output item id belongs to, and the item's index in its output; null for an id Bentoo did not make. */
export function itemLocation(itemId: string): { responseId: string; index: number } | null {
  const match = ITEM_ID.exec(itemId);
  if (match === null) return null;
  const responseId = `${RESPONSE_PREFIX}${match[2]}`;
  return isId("response", responseId) ? { responseId, index: Number(match[3]) } : null;
}
