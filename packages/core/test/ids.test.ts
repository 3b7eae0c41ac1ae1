import { describe, expect, it } from "vitest";
import { isId, newId } from "../src/ids.js";

describe("newId", () => {
  it("is a prefix and 20 base62 characters", () => {
    const id = newId("request");
    expect(id).toMatch(/^req_[0-9A-Za-z]{20}$/);
    expect(isId("request", id)).toBe(true);
    expect(isId("event", id)).toBe(false);
  });

  it("sorts by creation time, byte for byte, so inserts append to the primary-key index", () => {
    const times = [0, 61, 62, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000, 62 ** 8 - 1];
    const ids = times.map((time) => newId("event", time));
    expect([...ids].sort()).toEqual(ids);
    // Within one millisecond the random part decides, and two ids still differ.
    expect(newId("event", 5)).not.toBe(newId("event", 5));
  });

  it("spells the creation time in its first 8 characters, and refuses a time it cannot spell", () => {
    expect(newId("event", 0).slice(0, 12)).toBe("evt_00000000");
    expect(newId("ledgerEntry", 62 * 62 * 10 + 36).slice(0, 12)).toBe("led_00000A0a");
    expect(newId("request", 62 ** 8 - 1).slice(0, 12)).toBe("req_zzzzzzzz");
    expect(() => newId("event", 62 ** 8)).toThrow(RangeError);
    expect(() => newId("event", -1)).toThrow(RangeError);
    expect(() => newId("event", 1.5)).toThrow(RangeError);
  });

  it("keeps 12 random characters after the time", () => {
    const suffixes = new Set(Array.from({ length: 1000 }, () => newId("ledgerEntry", 1).slice(-12)));
    expect(suffixes.size).toBe(1000);
  });
});
