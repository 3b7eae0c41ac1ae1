import { crc32 } from "node:zlib";
import { BASE62_ALPHABET, checksumOf, generateApiKey, hashApiKey, KEY_LENGTH, parseApiKey } from "@bentoo/core";
import { describe, expect, it } from "vitest";

describe("API key format (PRODUCT.md §1)", () => {
  it("generates btoo_sk_<mode>_ + 32 base62 characters with a valid checksum", () => {
    for (const mode of ["live", "test"] as const) {
      const generated = generateApiKey(mode);
      expect(generated.key).toMatch(new RegExp(`^btoo_sk_${mode}_[0-9A-Za-z]{32}$`));
      expect(generated.key).toHaveLength(KEY_LENGTH);
      expect(generated.last4).toBe(generated.key.slice(-4));
      expect(generated.hash).toBe(hashApiKey(generated.key));
      expect(generated.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(parseApiKey(generated.key)).toEqual({ ok: true, mode, last4: generated.last4 });
    }
  });

  it("the checksum is CRC32 of the rest, base62, 6 characters", () => {
    const { key } = generateApiKey("live");
    const head = key.slice(0, -6);
    let value = crc32(head);
    let encoded = "";
    for (let index = 0; index < 6; index += 1) {
      encoded = BASE62_ALPHABET[value % 62] + encoded;
      value = Math.floor(value / 62);
    }
    expect(key.slice(-6)).toBe(encoded);
    expect(checksumOf(head)).toBe(encoded);
  });

  it("property: 5,000 keys are distinct, well-formed and verify; any one-character change is caught", () => {
    const seen = new Set<string>();
    let caught = 0;
    for (let index = 0; index < 5000; index += 1) {
      const { key } = generateApiKey(index % 2 === 0 ? "live" : "test");
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(parseApiKey(key).ok).toBe(true);
      const position = 13 + (index % 32);
      const original = key[position]!;
      const replacement = BASE62_ALPHABET[(BASE62_ALPHABET.indexOf(original) + 1 + (index % 61)) % 62]!;
      const mutated = key.slice(0, position) + replacement + key.slice(position + 1);
      const parsed = parseApiKey(mutated);
      if (!parsed.ok) caught += 1;
    }
    // CRC32 catches every single-character substitution.
    expect(caught).toBe(5000);
  });

  it("uses the whole alphabet in the random part (no modulo-bias gaps)", () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 2000; index += 1) {
      for (const char of generateApiKey("live").key.slice(13, 39)) counts.set(char, (counts.get(char) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const values = [...counts.values()];
    expect(Math.min(...values) / Math.max(...values)).toBeGreaterThan(0.7);
  });

  it.each([
    ["", "malformed"],
    ["btoo_sk_live_", "malformed"],
    ["btoo_sk_prod_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "malformed"],
    ["btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "malformed"],
    ["btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "malformed"],
    ["btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a", "malformed"],
    ["sk-proj-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "malformed"],
    ["btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad_checksum"],
  ])("rejects %j as %s", (candidate, reason) => {
    const parsed = parseApiKey(candidate);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toBe(reason);
  });
});
