import { randomBytes, randomInt } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, encodeBase62 } from "../src/crc32.js";
import { checkKeyFormat, keyChecksum } from "../src/key-format.js";
import { makeKey, randomBase62 } from "./helpers.js";

describe("crc32", () => {
  it("matches the standard check value and the empty input", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it("matches zlib.crc32 on 500 random byte arrays", () => {
    for (let round = 0; round < 500; round++) {
      const bytes = randomBytes(randomInt(0, 300));
      expect(crc32(new Uint8Array(bytes))).toBe(zlibCrc32(bytes));
    }
  });

  it("matches zlib.crc32 on random strings, checksummed as UTF-8", () => {
    const alphabet = ["a", "Z", "0", "_", "é", "世", "👋", "\u0000", "\n"];
    for (let round = 0; round < 300; round++) {
      let text = "";
      for (let index = randomInt(0, 60); index > 0; index--) text += alphabet[randomInt(alphabet.length)];
      expect(crc32(text)).toBe(zlibCrc32(text));
    }
  });
});

describe("encodeBase62", () => {
  it("writes the most significant digit first and pads to the width", () => {
    expect(encodeBase62(0, 6)).toBe("000000");
    expect(encodeBase62(61, 6)).toBe("00000z");
    expect(encodeBase62(62, 6)).toBe("000010");
    expect(encodeBase62(62 * 62 * 10 + 36, 6)).toBe("000A0a");
    expect(encodeBase62(0xffffffff, 6)).toBe("4gfFC3");
  });

  it("refuses negative and non-integer values", () => {
    expect(() => encodeBase62(-1, 6)).toThrow(RangeError);
    expect(() => encodeBase62(1.5, 6)).toThrow(RangeError);
  });
});

describe("checkKeyFormat", () => {
  it("accepts keys built with zlib's CRC-32 and reports their mode", () => {
    for (let round = 0; round < 200; round++) {
      const mode = round % 2 === 0 ? "live" : "test";
      expect(checkKeyFormat(makeKey(mode))).toEqual({ ok: true, mode });
    }
  });

  it("computes the same checksum as the independent helper", () => {
    for (let round = 0; round < 200; round++) {
      const key = makeKey("live");
      expect(keyChecksum(key.slice(0, -6))).toBe(key.slice(-6));
    }
  });

  it.each([
    ["empty", ""],
    ["another vendor's key", `sk-proj-${randomBase62(40)}`],
    ["unknown mode", makeKey("live").replace("_live_", "_prod_")],
    ["31 characters after the prefix", makeKey("live").slice(0, -1)],
    ["33 characters after the prefix", `${makeKey("live")}A`],
    ["a non-alphanumeric character", makeKey("test").replace(/^(btoo_sk_test_.{3})./, "$1-")],
    ["surrounding whitespace", ` ${makeKey("test")}`],
    ["upper-case prefix", makeKey("test").replace("btoo_sk_test_", "BTOO_SK_TEST_")],
  ])("rejects a malformed key: %s", (_label, candidate) => {
    expect(checkKeyFormat(candidate)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a key with one mistyped character as a bad checksum", () => {
    const key = makeKey("live", "A".repeat(26));
    const typo = key.replace("btoo_sk_live_A", "btoo_sk_live_B");
    expect(checkKeyFormat(key).ok).toBe(true);
    expect(checkKeyFormat(typo)).toEqual({ ok: false, reason: "bad_checksum" });
  });

  it("rejects a live key relabelled as test (the prefix is checksummed too)", () => {
    const key = makeKey("live");
    expect(checkKeyFormat(key.replace("_live_", "_test_"))).toEqual({ ok: false, reason: "bad_checksum" });
  });
});
