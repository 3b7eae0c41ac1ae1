import { crc32, encodeBase62 } from "./crc32.js";

/**
 * Bentoo key format (PRODUCT.md §1): `btoo_sk_live_` or `btoo_sk_test_`, then 26
 * random base62 characters and a 6-character base62 checksum, the CRC-32 of
 * everything before it. Checking it locally turns a truncated or mistyped key into
 * an immediate, precise error instead of a 401 from the server.
 */
export type KeyMode = "live" | "test";

export type KeyFormatCheck = { ok: true; mode: KeyMode } | { ok: false; reason: "malformed" | "bad_checksum" };

const KEY_PATTERN = /^btoo_sk_(live|test)_[0-9A-Za-z]{32}$/;
const CHECKSUM_LENGTH = 6;

/** The 6-character checksum of a key's prefix and random part. */
export function keyChecksum(prefixAndRandom: string): string {
  return encodeBase62(crc32(prefixAndRandom), CHECKSUM_LENGTH);
}

export function checkKeyFormat(candidate: string): KeyFormatCheck {
  const match = KEY_PATTERN.exec(candidate);
  if (match === null) return { ok: false, reason: "malformed" };
  const head = candidate.slice(0, -CHECKSUM_LENGTH);
  if (keyChecksum(head) !== candidate.slice(-CHECKSUM_LENGTH)) return { ok: false, reason: "bad_checksum" };
  return { ok: true, mode: match[1] === "live" ? "live" : "test" };
}
