import { TestClock } from "@bentoo/test-kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startRetention } from "../src/audit/retention.js";
import { parseConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { LogCapture } from "./helpers.js";

const DAY = 24 * 3600 * 1000;

describe("audit retention", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("purges the records older than the retention period by the services' clock: 10 s after start, then every hour", async () => {
    // The purge's schedule is timers (faked here); its cut-off is the services' clock.
    vi.useFakeTimers({ toFake: ["setTimeout", "setInterval", "clearTimeout", "clearInterval"] });
    const clock = new TestClock(Date.UTC(2030, 0, 31));
    const cutoffs: number[] = [];
    const logs = new LogCapture();
    const purgeOlderThan = async (cutoff: number) => {
      cutoffs.push(cutoff);
      return 3;
    };
    const stop = startRetention({ purgeOlderThan }, 30, createLogger("info", logs), clock.now);
    try {
      await vi.advanceTimersByTimeAsync(9_999);
      expect(cutoffs).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(cutoffs).toEqual([Date.UTC(2030, 0, 1)]);
      expect(logs.text()).toContain("purged old audit records");

      clock.advance(DAY);
      await vi.advanceTimersByTimeAsync(3600_000 - 10_000);
      expect(cutoffs).toEqual([Date.UTC(2030, 0, 1), Date.UTC(2030, 0, 2)]);
    } finally {
      stop();
    }
    await vi.advanceTimersByTimeAsync(10 * 3600_000);
    expect(cutoffs).toHaveLength(2); // stopped: no purge after stop()
  });
});

describe("retention settings", () => {
  it("keep usage rollups 396 days (13 months) by default, at least as long as the audit log, and refuse a shorter usage period", () => {
    expect(parseConfig({})).toMatchObject({ auditRetentionDays: 90, usageRetentionDays: 396 });
    expect(parseConfig({ BENTOO_USAGE_RETENTION_DAYS: "800" })).toMatchObject({ usageRetentionDays: 800 });
    expect(parseConfig({ BENTOO_AUDIT_RETENTION_DAYS: "500" })).toMatchObject({ auditRetentionDays: 500, usageRetentionDays: 500 });
    expect(() => parseConfig({ BENTOO_AUDIT_RETENTION_DAYS: "120", BENTOO_USAGE_RETENTION_DAYS: "60" })).toThrow(
      /BENTOO_USAGE_RETENTION_DAYS \(60\) must be at least BENTOO_AUDIT_RETENTION_DAYS \(120\)/,
    );
    expect(() => parseConfig({ BENTOO_USAGE_RETENTION_DAYS: "forever" })).toThrow(/BENTOO_USAGE_RETENTION_DAYS must be an integer/);
  });
});
