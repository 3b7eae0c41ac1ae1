import { describe, expect, it, vi } from "vitest";
import { createLogger, lazyChildLoggers } from "../src/logger.js";
import { LogCapture } from "./helpers.js";

describe("per-request loggers", () => {
  it("make pino's child only when the request logs, and their lines carry the request's bindings", async () => {
    const logs = new LogCapture();
    const logger = createLogger("info", logs);
    const child = vi.spyOn(logger, "child");
    const requestLogger = lazyChildLoggers(logger, { reqId: "req_lazy" }, {});
    expect(requestLogger.level).toBe("info");
    requestLogger.debug("below the level: nothing is written");
    expect(child).toHaveBeenCalledTimes(1);

    const quiet = lazyChildLoggers(logger, { reqId: "req_quiet" }, {});
    expect(quiet.level).toBe("info");
    expect(child).toHaveBeenCalledTimes(1);

    requestLogger.warn({ code: "upstream_timeout" }, "first line");
    requestLogger.error("second line");
    logger.flush();
    await vi.waitFor(() => expect(logs.lines).toHaveLength(2));
    const [first, second] = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ reqId: "req_lazy", code: "upstream_timeout", msg: "first line", level: 40 });
    expect(second).toMatchObject({ reqId: "req_lazy", msg: "second line", level: 50 });
    expect(child).toHaveBeenCalledTimes(1);
  });
});
