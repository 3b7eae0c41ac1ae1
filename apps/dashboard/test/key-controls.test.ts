import { describe, expect, it } from "vitest";
import { controlsRequest, EMPTY_CONTROLS, restrictionSummary, usdToMicros } from "../src/lib/key-controls";

describe("key controls in the create dialog", () => {
  it("reads USD amounts exactly, in integer micro-dollars", () => {
    expect(usdToMicros("20")).toBe(20_000_000);
    expect(usdToMicros("4.5")).toBe(4_500_000);
    expect(usdToMicros("$0.000001")).toBe(1);
    expect(usdToMicros(" 0.1 ")).toBe(100_000);
    expect(usdToMicros(".25")).toBe(250_000);
    for (const bad of ["", "abc", "1.0000001", "-5", "1e3", "1,000", "9999999999"]) expect(usdToMicros(bad), bad).toBeNull();
  });

  it("sends only the controls that were set, and names the field that cannot be sent", () => {
    expect(controlsRequest(EMPTY_CONTROLS)).toEqual({ scopes: ["inference", "key:read"] });
    expect(
      controlsRequest({
        ...EMPTY_CONTROLS,
        scopes: ["inference"],
        rpm: "60",
        tpm: "",
        budget: "20",
        period: "day",
        models: "anthropic/*, openai/gpt-6-luna,",
      }),
    ).toEqual({
      scopes: ["inference"],
      rpm_limit: 60,
      spend_cap: { amount_micros: 20_000_000, period: "day" },
      models: ["anthropic/*", "openai/gpt-6-luna"],
    });
    expect(controlsRequest({ ...EMPTY_CONTROLS, scopes: [] })).toMatchObject({ param: "scopes" });
    expect(controlsRequest({ ...EMPTY_CONTROLS, rpm: "0" })).toMatchObject({ param: "rpm_limit" });
    expect(controlsRequest({ ...EMPTY_CONTROLS, tpm: "1.5" })).toMatchObject({ param: "tpm_limit" });
    expect(controlsRequest({ ...EMPTY_CONTROLS, budget: "lots" })).toMatchObject({ param: "spend_cap" });
  });

  it("summarises what restricts a key beyond the defaults", () => {
    const defaults = { scopes: ["inference", "key:read"] as const, models: null, rpm_limit: null, tpm_limit: null };
    expect(restrictionSummary({ ...defaults, scopes: [...defaults.scopes] })).toBeNull();
    expect(restrictionSummary({ scopes: ["inference"], models: ["anthropic/*"], rpm_limit: 1200, tpm_limit: null })).toBe(
      "inference · anthropic/* · 1,200 req/min",
    );
    expect(restrictionSummary({ scopes: ["inference", "key:read"], models: ["a/*", "b/*", "c/*"], rpm_limit: null, tpm_limit: 5 })).toBe(
      "3 model patterns · 5 tok/min",
    );
  });
});

describe("editing a key's controls", () => {
  it("shows the key's controls in the form, and a change sends null for what was cleared", async () => {
    const { controlsOfKey, microsToUsdText } = await import("../src/lib/key-controls");
    expect([20_000_000, 4_500_000, 1, 0, 10_000].map(microsToUsdText)).toEqual(["20", "4.5", "0.000001", "0", "0.01"]);
    const form = controlsOfKey({
      scopes: ["inference"],
      models: ["anthropic/*"],
      rpm_limit: 60,
      tpm_limit: null,
      spend_cap: { amount_micros: 4_500_000, period: "week" },
    });
    expect(form).toEqual({ scopes: ["inference"], rpm: "60", tpm: "", budget: "4.5", period: "week", models: "anthropic/*" });
    expect(controlsRequest(form, { clearEmpty: true })).toEqual({
      scopes: ["inference"],
      rpm_limit: 60,
      tpm_limit: null,
      spend_cap: { amount_micros: 4_500_000, period: "week" },
      models: ["anthropic/*"],
    });
    expect(controlsRequest({ ...form, rpm: "", budget: "", models: "" }, { clearEmpty: true })).toEqual({
      scopes: ["inference"],
      rpm_limit: null,
      tpm_limit: null,
      spend_cap: null,
      models: null,
    });
  });
});

describe("budget amounts in the keys table", () => {
  it("are shown exactly, to the micro-dollar, with cents at least", async () => {
    const { formatUsdExact } = await import("../src/lib/format");
    expect([20_000_000, 15_000, 10_000, 5_000, 1, 0, 1_234_567_890].map(formatUsdExact)).toEqual([
      "$20.00",
      "$0.015",
      "$0.01",
      "$0.005",
      "$0.000001",
      "$0.00",
      "$1,234.56789",
    ]);
  });
});
