import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { LogCapture } from "./helpers.js";

describe("per-request loggers", () => {
  it("write only at or above their level, each line carrying the request's bindings", () => {
    const logs = new LogCapture();
    const logger = createLogger("info", logs);
    const requestLogger = logger.child({ reqId: "req_lazy" });
    expect(requestLogger.level).toBe("info");
    requestLogger.debug("below the level: nothing is written");
    const quiet = logger.child({ reqId: "req_quiet" });
    expect(quiet.level).toBe("info");

    requestLogger.warn({ code: "upstream_timeout" }, "first line");
    requestLogger.error("second line");
    // The capture is an ordinary synchronous stream: pino has written each line when the call returns.
    const lines = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ reqId: "req_lazy", code: "upstream_timeout", msg: "first line", level: 40 }),
      expect.objectContaining({ reqId: "req_lazy", msg: "second line", level: 50 }),
    ]);
  });

  it("a child of a request's logger keeps both sets of bindings, and a level set on it applies", () => {
    const logs = new LogCapture();
    const requestLogger = createLogger("info", logs).child({ reqId: "req_parent" });
    const child = requestLogger.child({ route: "/v1/models" });
    child.info("from the child");
    requestLogger.level = "error";
    requestLogger.warn("silenced by the new level");
    expect(requestLogger.level).toBe("error");
    expect(logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ reqId: "req_parent", route: "/v1/models", msg: "from the child" }),
    ]);
  });
});
