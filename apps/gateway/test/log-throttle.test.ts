import { TestClock } from "@bentoo/test-kit";
import { describe, expect, it } from "vitest";
import { LogThrottle } from "../src/infra/log-throttle.js";
import { createLogger } from "../src/logger.js";
import { LogCapture } from "./helpers.js";

function setup(intervalMs = 5000) {
  const logs = new LogCapture();
  const logger = createLogger("info", logs);
  const clock = new TestClock();
  const throttle = new LogThrottle({ intervalMs, now: clock.now });
  const lines = () => logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, clock, throttle, lines };
}

describe("LogThrottle: one line per kind per interval, with counts", () => {
  it("writes the first line at once and holds back the rest of the interval", () => {
    const { logger, throttle, lines } = setup();
    for (let index = 0; index < 1000; index += 1) throttle.warn(logger, "admission_unreachable", { attempt: index }, "admission unreachable");
    expect(lines()).toEqual([expect.objectContaining({ level: 40, attempt: 0, msg: "admission unreachable" })]);
  });

  it("the next line after the interval carries the count of those held back, and opens the next interval", () => {
    const { logger, clock, throttle, lines } = setup();
    for (let index = 0; index < 1235; index += 1) throttle.warn(logger, "admission_unreachable", { attempt: index }, "admission unreachable");
    clock.advance(5000);
    throttle.warn(logger, "admission_unreachable", { attempt: 1235 }, "admission unreachable");
    expect(lines()).toHaveLength(2);
    // The last line held back, with the count.
    expect(lines()[1]).toMatchObject({ level: 40, attempt: 1234, suppressed: 1234, msg: "admission unreachable (1,234 more in the last 5 s)" });
    // The line that arrived after the interval is held in the next one, and reported when that one ends.
    clock.advance(7500);
    throttle.tick();
    expect(lines()[2]).toMatchObject({ attempt: 1235, suppressed: 1, msg: "admission unreachable (1 more in the last 7.5 s)" });
    expect(lines()).toHaveLength(3);
  });

  it("an interval with nothing held back ends quietly; the next line is written at once, without a count", () => {
    const { logger, clock, throttle, lines } = setup();
    throttle.error(logger, "settlement_failed", {}, "could not settle");
    clock.advance(5000);
    throttle.tick();
    expect(lines()).toHaveLength(1);
    clock.advance(60_000);
    throttle.error(logger, "settlement_failed", {}, "could not settle");
    expect(lines()).toEqual([expect.objectContaining({ level: 50, msg: "could not settle" }), expect.objectContaining({ level: 50, msg: "could not settle" })]);
    expect(lines()[1]).not.toHaveProperty("suppressed");
  });

  it("kinds are counted apart", () => {
    const { logger, throttle, lines } = setup();
    for (let index = 0; index < 10; index += 1) {
      throttle.warn(logger, "admission_unreachable", {}, "admission unreachable");
      throttle.warn(logger, "service_unavailable", {}, "The credit balance cannot be checked right now; retry shortly.");
    }
    expect(lines().map((line) => line.msg)).toEqual(["admission unreachable", "The credit balance cannot be checked right now; retry shortly."]);
  });

  it("within the interval nothing more is written, however the clock moves", () => {
    const { logger, clock, throttle, lines } = setup();
    throttle.warn(logger, "k", {}, "m");
    for (let step = 0; step < 49; step += 1) {
      clock.advance(100);
      throttle.warn(logger, "k", {}, "m");
      throttle.tick();
    }
    expect(lines()).toHaveLength(1);
  });

  it("flush() writes what is held back (at shutdown)", () => {
    const { logger, clock, throttle, lines } = setup();
    for (let index = 0; index < 3; index += 1) throttle.warn(logger, "k", {}, "m");
    clock.advance(2000);
    throttle.flush();
    expect(lines().map((line) => line.msg)).toEqual(["m", "m (2 more in the last 2 s)"]);
    throttle.flush();
    expect(lines()).toHaveLength(2);
  });

  it("a timer ends the interval when no further line comes (wall clock, short interval)", async () => {
    const logs = new LogCapture();
    const logger = createLogger("info", logs);
    const throttle = new LogThrottle({ intervalMs: 50 });
    for (let index = 0; index < 5; index += 1) throttle.warn(logger, "k", {}, "m");
    const deadline = Date.now() + 2000;
    while (logs.lines.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(logs.lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(["m", expect.stringMatching(/^m \(4 more in the last [\d.]+ s\)$/)]);
    throttle.flush();
  });
});
