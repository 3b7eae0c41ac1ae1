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

/**
 * `length` characters drawn uniformly from the base62 alphabet with a CSPRNG.
 * Bytes >= 248 are rejected so that `byte % 62` carries no modulo bias.
 */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const byte = nextRandomByte();
    if (byte < 248) out += BASE62_ALPHABET[byte % 62];
  }
  return out;
}

/** Encodes a non-negative safe integer in base62, left-padded with `0` to `width`. */
export function encodeBase62(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot base62-encode ${value}`);
  let out = "";
  let rest = value;
  do {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  if (out.length > width) throw new RangeError(`${value} needs more than ${width} base62 digits`);
  return out.padStart(width, "0");
}
