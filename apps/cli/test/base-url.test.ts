import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, startGateway } from "./cli-harness.js";

/** A URL where nothing answers: the CLI fails with connection_error if it is used. */
const NOWHERE = "http://127.0.0.1:9";

describe("the gateway's address: BENTOO_BASE_URL, its old name BENTOO_URL, --url", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(() => g?.dispose());

  const listWith = (env: Record<string, string | undefined>, argv: string[] = []) =>
    g.cli([...argv, "accounts", "list"], { env: { BENTOO_BASE_URL: undefined, BENTOO_URL: undefined, ...env } });

  it("reads BENTOO_BASE_URL as the SDKs write it (ending in /v1) or as the server's root", async () => {
    for (const value of [`${g.url}/v1`, `${g.url}/v1/`, g.url, `${g.url}/`]) {
      expect(await listWith({ BENTOO_BASE_URL: value }), value).toMatchObject({ code: 0, stderr: "" });
    }
  });

  it("still reads BENTOO_URL when BENTOO_BASE_URL is unset", async () => {
    expect(await listWith({ BENTOO_URL: g.url })).toMatchObject({ code: 0, stderr: "" });
  });

  it("when both are set and differ, BENTOO_BASE_URL wins and a warning says to drop the old name", async () => {
    const result = await listWith({ BENTOO_BASE_URL: g.url, BENTOO_URL: NOWHERE });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("warning: BENTOO_URL and BENTOO_BASE_URL differ; using BENTOO_BASE_URL. BENTOO_URL is its old name: unset it.\n");
    const reversed = await listWith({ BENTOO_BASE_URL: NOWHERE, BENTOO_URL: g.url });
    expect(reversed.code).toBe(1);
    expect(reversed.stderr).toContain(`cannot reach the admin API at ${NOWHERE}`);
    expect(await listWith({ BENTOO_BASE_URL: g.url, BENTOO_URL: g.url })).toMatchObject({ code: 0, stderr: "" });
  });

  it("--url wins over both variables", async () => {
    expect(await listWith({ BENTOO_BASE_URL: NOWHERE, BENTOO_URL: NOWHERE }, ["--url", g.url])).toMatchObject({ code: 0 });
  });

  it("a bad value is a usage error (exit 2) naming where it came from", async () => {
    const bad = await listWith({ BENTOO_BASE_URL: "localhost:8080" });
    expect(bad).toMatchObject({ code: 2, stderr: "error: BENTOO_BASE_URL must use http or https, not localhost:\n" });
    expect((await listWith({ BENTOO_URL: "not a url" })).stderr).toMatch(/^error: BENTOO_URL must be an absolute http\(s\) URL/);
    expect((await listWith({}, ["--url", "ftp://example.com"])).stderr).toBe("error: --url must use http or https, not ftp:\n");
  });
});
