import { randomFillSync } from "node:crypto";

/**
 * CSPRNG bytes from a pooled buffer: one system call per 4 KiB instead of one
 * per id (ids are minted on every request).
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function nextRandomByte(): number {
  if (poolOffset === POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

/** Digits, then upper case, then lower case: the order `0 < A < a` sorts like ASCII. */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALPHABET_BYTES = Buffer.from(BASE62_ALPHABET, "latin1");

/**
 * Writes `length` characters drawn uniformly from the base62 alphabet with a
 * CSPRNG, as ASCII bytes, into `target` from `offset`; returns the offset after
 * them. Bytes >= 248 are rejected so that `byte % 62` carries no modulo bias.
 */
export function writeRandomBase62(target: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  let at = offset;
  while (at < end) {
    const byte = nextRandomByte();
    if (byte < 248) target[at++] = ALPHABET_BYTES[byte % 62]!;
  }
  return end;
}

/**
 * Writes a non-negative safe integer in base62, left-padded with `0` to `width`,
 * as ASCII bytes into `target` from `offset`; returns the offset after it.
 */
export function writeBase62(target: Uint8Array, offset: number, value: number, width: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot base62-encode ${value}`);
  let rest = value;
  for (let at = offset + width - 1; at >= offset; at--) {
    target[at] = ALPHABET_BYTES[rest % 62]!;
    rest = Math.floor(rest / 62);
  }
  if (rest > 0) throw new RangeError(`${value} needs more than ${width} base62 digits`);
  return offset + width;
}

/** `length` random base62 characters (see writeRandomBase62). */
export function randomBase62(length: number): string {
  const bytes = Buffer.allocUnsafe(length);
  writeRandomBase62(bytes, 0, length);
  return bytes.toString("latin1");
}

/** Encodes a non-negative safe integer in base62, left-padded with `0` to `width`. */
export function encodeBase62(value: number, width: number): string {
  const bytes = Buffer.allocUnsafe(width);
  writeBase62(bytes, 0, value, width);
  return bytes.toString("latin1");
}
