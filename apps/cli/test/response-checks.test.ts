import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../src/index.js";
import { listParser, parseAccount, parseApiKey, parseCreditGrant, parseErrorEnvelope, parseIssuedKey, parseRolledKey } from "../src/response-checks.js";
import { ADMIN_TOKEN, type Gateway, startGateway } from "./cli-harness.js";

/** Runs the CLI against a "server" that answers every request with `status` and `body`. */
async function againstServer(argv: string[], status: number, body: string, contentType = "application/json") {
  let stdout = "";
  let stderr = "";
  const fetch = async () => new Response(body, { status, headers: { "content-type": contentType } });
  const code = await run(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env: { BENTOO_ADMIN_TOKEN: ADMIN_TOKEN }, fetch });
  return { code, stdout, stderr };
}

describe("the CLI's checks of the admin API's answers", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    await g?.dispose();
  });

  it("accept every answer a real gateway gives, and keep members they do not know", async () => {
    const account = (await g.admin("POST", "/admin/v1/accounts", { email: "shapes@example.com", plan: "enterprise" })).json as { id: string };
    expect(parseAccount(account)).toBe(account);
    const issued = (await g.admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "k", mode: "test" })).json as { id: string };
    expect(parseIssuedKey(issued)).toBe(issued);
    expect(parseApiKey((await g.admin("PATCH", `/admin/v1/keys/${issued.id}`, { ip_allowlist: ["192.0.2.1"] })).json)).toMatchObject({
      ip_allowlist: ["192.0.2.1"],
    });
    expect(parseRolledKey((await g.admin("POST", `/admin/v1/keys/${issued.id}/roll`, { grace_seconds: 60 })).json)).toMatchObject({
      previous_key: { id: issued.id },
    });
    expect(parseCreditGrant((await g.admin("POST", `/admin/v1/accounts/${account.id}/credits`, { amount_micros: 5 })).json)).toMatchObject({
      balance_micros: 5,
    });
    expect(listParser(parseAccount)((await g.admin("GET", "/admin/v1/accounts")).json).data.length).toBeGreaterThan(0);
    expect(listParser(parseApiKey)((await g.admin("GET", `/admin/v1/accounts/${account.id}/keys`)).json).data).toHaveLength(2);
    expect(parseErrorEnvelope((await g.admin("GET", "/admin/v1/accounts/acct_missing")).json)).toMatchObject({ error: { code: "account_not_found" } });
    const extended = { ...account, added_later: true };
    expect(parseAccount(extended)).toBe(extended);
  });

  it("report an answer of the wrong shape as unexpected_response, naming the member (exit 1)", async () => {
    const good = {
      id: "acct_1",
      object: "account",
      email: "a@example.com",
      plan: "free",
      rpm_limit: null,
      tpm_limit: null,
      balance_micros: 0,
      ip_allowlist: null,
      created_at: "2026-01-01T00:00:00.000Z",
    };
    for (const [body, complaint] of [
      [{ ...good, balance_micros: "0" }, "account.balance_micros should be an integer"],
      [{ ...good, plan: "gold" }, 'account.plan should be one of "free", "pro", "enterprise"'],
      [{ ...good, object: "user" }, 'account.object should be one of "account"'],
      [[good], "expected a JSON object (account)"],
    ] as const) {
      const result = await againstServer(["accounts", "get", "acct_1"], 200, JSON.stringify(body));
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        `error: the server's answer to GET /admin/v1/accounts/acct_1 has an unexpected shape (${complaint}); are the CLI and the gateway the same version? (unexpected_response)\n`,
      );
    }
    const list = await againstServer(
      ["accounts", "list"],
      200,
      JSON.stringify({ object: "list", data: [{ ...good, id: 7 }], has_more: false, next_cursor: null }),
    );
    expect(list.stderr).toContain("(account.id should be a string)");
  });

  it("tell an error that is not Bentoo's envelope, or a body that is not JSON, from the server's own errors", async () => {
    const proxy = await againstServer(["accounts", "get", "acct_1"], 502, "<html>Bad gateway</html>", "text/html");
    expect(proxy).toMatchObject({
      code: 1,
      stderr: "error: the server at http://127.0.0.1:8080 answered HTTP 502 without Bentoo's JSON error envelope (unexpected_response)\n",
    });
    const partial = await againstServer(["accounts", "get", "acct_1"], 400, JSON.stringify({ error: { message: "no code" } }));
    expect(partial.stderr).toContain("without Bentoo's JSON error envelope");
    const notJson = await againstServer(["accounts", "get", "acct_1"], 200, "OK", "text/plain");
    expect(notJson.stderr).toBe("error: the server at http://127.0.0.1:8080 answered HTTP 200 with a body that is not JSON (unexpected_response)\n");
  });
});
