import { randomBase62 } from "./base62.js";

/**
 * Every internal identifier is a prefix naming what it identifies plus 20 base62
 * characters (≈119 bits). The prefixes live here and nowhere else.
 */
export const ID_PREFIXES = {
  account: "acct",
  apiKey: "key",
  request: "req",
  session: "sess",
  event: "evt",
  ledgerEntry: "led",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${randomBase62(20)}`;
}

const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{20}$/;

/** True when `value` is shaped like an id of `kind` (used to answer 404 early). */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}
