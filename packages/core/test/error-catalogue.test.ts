import { readFileSync } from "node:fs";
import { BentooError, ERROR_CATALOGUE, type ErrorCode } from "@bentoo/core";
import { describe, expect, it } from "vitest";

const doc = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");
const documented = new Map<string, { status: number; type: string }>();
for (const match of doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| ([a-z_]+) \|/gm)) documented.set(match[1]!, { status: Number(match[2]), type: match[3]! });

describe("error-code catalogue", () => {
  it("every code is documented in docs/errors.md with its status and type", () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      expect(documented.get(code), `docs/errors.md lacks ${code}`).toEqual({ status: spec.status, type: spec.type });
    }
  });

  it("the documentation lists no code that does not exist", () => {
    for (const code of documented.keys()) expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });

  it("renders OpenAI's envelope with status, type, param and code", () => {
    const error = new BentooError("invalid_request" satisfies ErrorCode, "model is required.", { param: "model" });
    expect(error.status).toBe(400);
    expect(error.toEnvelope()).toEqual({ error: { message: "model is required.", type: "invalid_request_error", param: "model", code: "invalid_request" } });
  });
});
