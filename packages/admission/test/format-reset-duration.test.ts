import { describe, expect, it } from "vitest";
import { formatResetDuration } from "../src/index.js";

describe("formatResetDuration", () => {
  it.each([
    [0, "0ms"],
    [20, "20ms"],
    [999, "999ms"],
    [0.2, "1ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [1050, "1.05s"],
    [1001, "1.001s"],
    [59_999, "59.999s"],
    [60_000, "1m0s"],
    [90_500, "1m30.5s"],
    [360_000, "6m0s"],
    [3_599_999, "59m59.999s"],
    [3_600_000, "1h0m0s"],
    [5_430_250, "1h30m30.25s"],
  ])("formats %d ms as %s", (ms, expected) => {
    expect(formatResetDuration(ms)).toBe(expected);
  });

  it("rounds fractional ms up, so a reset is never announced early", () => {
    expect(formatResetDuration(999.1)).toBe("1s");
  });

  it("rejects negative and non-finite durations", () => {
    expect(() => formatResetDuration(-1)).toThrow(RangeError);
    expect(() => formatResetDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatResetDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
