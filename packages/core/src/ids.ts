import { writeBase62, writeRandomBase62 } from "./base62.js";

/**
 * Every internal identifier is a prefix naming what it identifies plus 20 base62
 * characters: 8 for the creation time in milliseconds, then 12 random (≈71 bits).
 * Time-ordered like a ULID or UUIDv7, so that new rows land at the right edge of
 * the primary-key index instead of on a random page, where an insert costs about
 * twice as much on SQLite. Ids name
 * things; none of them is a secret (API keys and session tokens are minted
 * elsewhere, fully random). The prefixes live here and nowhere else.
 */
export const ID_PREFIXES = {
  account: "acct",
  apiKey: "key",
  request: "req",
  session: "sess",
  event: "evt",
  ledgerEntry: "led",
  response: "resp",
  webhookEndpoint: "we",
  /** A webhook message: the `webhook-id` its deliveries carry, the same on every retry (Standard Webhooks). */
  webhookMessage: "msg",
  webhookDelivery: "dlv",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const TIME_DIGITS = 8; // 62^8 ms reaches the year 8900
const ID_DIGITS = 20;

/** Each kind's `prefix_`, as bytes. */
const PREFIX_BYTES = new Map(Object.entries(ID_PREFIXES).map(([kind, prefix]) => [kind, Buffer.from(`${prefix}_`, "latin1")]));
const scratch = Buffer.allocUnsafe(32);

/**
 * Three ids are minted per request (request, audit record, ledger row): the
 * characters are written into one scratch buffer and read back as one flat
 * string, instead of a string concatenation per character (about 550 bytes of
 * short-lived strings per id, now one 48-byte string).
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  const prefix = PREFIX_BYTES.get(kind)!;
  for (let index = 0; index < prefix.length; index++) scratch[index] = prefix[index]!;
  const afterTime = writeBase62(scratch, prefix.length, now, TIME_DIGITS);
  const end = writeRandomBase62(scratch, afterTime, ID_DIGITS - TIME_DIGITS);
  return scratch.toString("latin1", 0, end);
}

const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{20}$/;

/** True when `value` is shaped like an id of `kind` (used to answer 404 early). */
export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}
