import { type AddressInfo, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/index.js";
import { ADMIN_TOKEN, type Gateway, startGateway } from "./cli-harness.js";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the admin token", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(() => g?.dispose());

  it("missing → exit 2 naming BENTOO_ADMIN_TOKEN, before any request", async () => {
    for (const token of [undefined, ""]) {
      const result = await g.cli(["accounts", "create", "--email", "nobody@example.com"], { env: { BENTOO_ADMIN_TOKEN: token } });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^error: .*BENTOO_ADMIN_TOKEN.*--token/);
    }
    expect(await g.t.services.storage.accounts.getByEmail("nobody@example.com")).toBeNull();
  });

  it("wrong → exit 1 with the server's invalid_admin_token, and the wrong token is not echoed", async () => {
    const wrong = "wrong-token-0123456789abcdef";
    for (const argv of [
      ["accounts", "list"],
      ["--token", wrong, "accounts", "list"],
      ["keys", "revoke", "key_x", "--json"],
    ]) {
      const result = await g.cli(argv, { env: { BENTOO_ADMIN_TOKEN: wrong } });
      expect(result.code, argv.join(" ")).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^error: .* \(invalid_admin_token\)\n$/);
      expect(result.stderr).not.toContain(wrong);
    }
  });

  it("--token takes precedence over the variable", async () => {
    const result = await g.cli(["--token", ADMIN_TOKEN, "accounts", "list"], { env: { BENTOO_ADMIN_TOKEN: "stale-token-value" } });
    expect(result.code).toBe(0);
  });

  it("never appears in any output: tables, JSON, errors or help", async () => {
    await g.cli(["accounts", "create", "--email", "leak@example.com"]);
    await g.cli(["accounts", "list", "--json"]);
    await g.cli(["--token", ADMIN_TOKEN, "accounts", "get", "acct_missing"]);
    await g.cli(["keys", "create", "acct_missing", "--name", "x"]);
    await g.cli(["--token", ADMIN_TOKEN, "accounts", "list", "--bogus"]);
    await g.cli(["--help"]);
    await g.cli(["keys", "roll", "--help", "--token", ADMIN_TOKEN]);
    await g.cli(["accounts", "list"], { env: { BENTOO_BASE_URL: `http://127.0.0.1:${await closedPort()}` } });
    expect(g.transcript()).toContain("leak@example.com");
    expect(g.transcript()).not.toContain(ADMIN_TOKEN);
    expect(g.t.logs.text()).not.toContain(ADMIN_TOKEN);
  });
});

describe("reaching the server", () => {
  it("a gateway without BENTOO_ADMIN_TOKEN answers 404, and the error says why", async () => {
    const g = await startGateway({ adminToken: null });
    try {
      const result = await g.cli(["accounts", "list"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("BENTOO_ADMIN_TOKEN");
      expect(result.stderr).toMatch(/\(not_found\)\n$/);
    } finally {
      await g.dispose();
    }
  });

  it("nothing listening → exit 1 connection_error naming the URL", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    let stderr = "";
    const code = await run(["--url", url, "accounts", "list"], {
      stdout: () => {},
      stderr: (text) => (stderr += text),
      env: { BENTOO_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^error: cannot reach the admin API at ${url}: .*ECONNREFUSED.* \\(connection_error\\)\\n$`));
  });

  it("a URL that is not http(s) is a usage error", async () => {
    let stderr = "";
    const code = await run(["accounts", "list"], {
      stdout: () => {},
      stderr: (text) => (stderr += text),
      env: { BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, BENTOO_URL: "localhost:8080" },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/BENTOO_URL/);
  });
});

describe("usage", () => {
  const invoke = async (argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await run(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: {} });
    return { code, stdout, stderr };
  };

  it("--help and --version exit 0 on stdout; no command or an unknown one exits 2", async () => {
    const help = await invoke(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: bentoo/);
    expect(help.stdout).toMatch(/accounts[\s\S]*credits[\s\S]*keys/);
    expect(await invoke(["--version"])).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    expect((await invoke([])).code).toBe(2);
    expect((await invoke(["accounts"])).code).toBe(2);
    const unknown = await invoke(["accounts", "delete", "acct_x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'delete'/);
    expect((await invoke(["keys", "list"])).code).toBe(2);
  });
});
