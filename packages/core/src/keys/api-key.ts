import { createHash, hash, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";
import { encodeBase62, randomBase62 } from "../base62.js";

/**
 * Key format (PRODUCT.md §1): `btoo_sk_<mode>_` + 26 random base62 characters +
 * a 6-character base62 checksum, CRC32 of everything before it. The checksum lets
 * Bentoo (and the SDKs, and secret scanners) reject typos and garbage without a
 * storage look-up.
 */
export type KeyMode = "live" | "test";
export const KEY_MODES: readonly KeyMode[] = ["live", "test"];

export const KEY_PREFIX = "btoo_sk_";
const RANDOM_LENGTH = 26;
const CHECKSUM_LENGTH = 6;
export const KEY_BODY_LENGTH = RANDOM_LENGTH + CHECKSUM_LENGTH;
export const KEY_LENGTH = KEY_PREFIX.length + "live_".length + KEY_BODY_LENGTH;

const KEY_PATTERN = /^btoo_sk_(live|test)_[0-9A-Za-z]{32}$/;

export interface GeneratedKey {
  /** The full secret; shown to its owner once and never stored. */
  key: string;
  /** SHA-256 of the full key, hex: the only form that is stored. */
  hash: string;
  /** The key ID users see: its last 4 characters. */
  last4: string;
  mode: KeyMode;
}

export type ParsedKey = { ok: true; mode: KeyMode; last4: string } | { ok: false; reason: "malformed" | "bad_checksum"; last4?: string };

export function checksumOf(prefixAndRandom: string): string {
  return encodeBase62(crc32(prefixAndRandom), CHECKSUM_LENGTH);
}

export function generateApiKey(mode: KeyMode): GeneratedKey {
  const head = `${KEY_PREFIX}${mode}_${randomBase62(RANDOM_LENGTH)}`;
  const key = head + checksumOf(head);
  return { key, hash: hashApiKey(key), last4: key.slice(-4), mode };
}

/** Checks format and checksum only; says nothing about whether the key exists. */
export function parseApiKey(candidate: string): ParsedKey {
  const shape = parseKeyShape(candidate);
  if (shape.ok && !hasValidChecksum(candidate)) return { ok: false, reason: "bad_checksum", last4: shape.last4 };
  return shape;
}

/** The format alone (prefix, mode, length, alphabet), without the checksum. */
export function parseKeyShape(candidate: string): ParsedKey {
  if (candidate.length !== KEY_LENGTH || !KEY_PATTERN.test(candidate)) return { ok: false, reason: "malformed" };
  return { ok: true, mode: candidate.slice(KEY_PREFIX.length, KEY_PREFIX.length + 4) as KeyMode, last4: candidate.slice(-4) };
}

/** Whether a well-shaped key's last 6 characters are the checksum of the rest. */
export function hasValidChecksum(candidate: string): boolean {
  return checksumOf(candidate.slice(0, -CHECKSUM_LENGTH)) === candidate.slice(-CHECKSUM_LENGTH);
}

export function hashApiKey(key: string): string {
  // One-shot hash (Node ≥ 20.12): half the cost of createHash().update().digest() on every request.
  return hash("sha256", key, "hex");
}

/** Constant-time string comparison for secrets such as the operator token. */
export function secretsEqual(a: string, b: string): boolean {
  const left = createHash("sha256").update(a).digest();
  const right = createHash("sha256").update(b).digest();
  return timingSafeEqual(left, right);
}
