/**
 * CRC-32 with the IEEE 802.3 polynomial (reflected 0xEDB88320), the checksum of zlib,
 * gzip and PNG and what Node's `zlib.crc32` returns. Written in plain JavaScript
 * because edge runtimes have no `node:zlib`.
 */
const POLYNOMIAL = 0xedb88320;

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? POLYNOMIAL ^ (value >>> 1) : value >>> 1;
    table[byte] = value >>> 0;
  }
  return table;
}

const TABLE = /* @__PURE__ */ buildTable();
const encoder = /* @__PURE__ */ new TextEncoder();

/** CRC-32 of `input`; a string is checksummed as its UTF-8 bytes, as zlib does. */
export function crc32(input: string | Uint8Array): number {
  const bytes = typeof input === "string" ? encoder.encode(input) : input;
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] ?? 0;
    crc = (TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Digits, then upper case, then lower case (ASCII order). */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Encodes a non-negative safe integer in base62, most significant digit first, left-padded with `0`. */
export function encodeBase62(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot base62-encode ${value}`);
  let digits = "";
  let rest = value;
  do {
    digits = BASE62_ALPHABET.charAt(rest % 62) + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return digits.padStart(width, "0");
}
