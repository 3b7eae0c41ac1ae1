import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, field, type Gateway, startGateway } from "./cli-harness.js";

describe("bentoo accounts", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    expect(g.transcript()).not.toContain(ADMIN_TOKEN);
    await g?.dispose();
  });

  const createAccount = async (email: string, extra: string[] = [], stdin?: string) => {
    const result = await g.cli(["accounts", "create", "--email", email, ...extra], { stdin });
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: "" });
    const id = field(result.stdout, "id");
    if (id === undefined) throw new Error(result.stdout);
    return { id, result };
  };

  it("create prints the new account as a key/value block, and the account exists", async () => {
    const { id, result } = await createAccount("Ops@Example.com", ["--plan", "pro"]);
    expect(id).toMatch(/^acct_/);
    expect(result.stdout).toContain(`Created account ${id}`);
    expect(field(result.stdout, "email")).toBe("ops@example.com");
    expect(field(result.stdout, "plan")).toBe("pro");
    expect(field(result.stdout, "balance")).toBe("$0.000000");
    expect(field(result.stdout, "rpm limit")).toBe("plan default");
    const stored = await g.t.services.storage.accounts.get(id);
    expect(stored).toMatchObject({ email: "ops@example.com", plan: "pro", balanceMicros: 0 });
  });

  it("create defaults to the free plan and takes a password from stdin only", async () => {
    const { id } = await createAccount("pw@example.com", ["--password-stdin"], "s3cret-passphrase\n");
    expect((await g.t.services.storage.accounts.get(id))?.plan).toBe("free");
    // The password really reaches the server: too short a one is refused there.
    const short = await g.cli(["accounts", "create", "--email", "short@example.com", "--password-stdin"], { stdin: "abc\n" });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/^error: password must be at least 8 characters\. \(invalid_request\)\n$/);
    expect(await g.t.services.storage.accounts.getByEmail("short@example.com")).toBeNull();
    const empty = await g.cli(["accounts", "create", "--email", "empty@example.com", "--password-stdin"], { stdin: "\n" });
    expect(empty.code).toBe(2);
    const ok = await g.cli(["accounts", "create", "--email", "long@example.com", "--password-stdin"], { stdin: "correct horse battery\n" });
    expect(ok.code).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain("correct horse");
  });

  it("a duplicate email is the server's 409, exit 1 with its message and code", async () => {
    await createAccount("dup@example.com");
    const again = await g.cli(["accounts", "create", "--email", "dup@example.com"]);
    expect(again).toEqual({ code: 1, stdout: "", stderr: "error: An account with the email dup@example.com already exists. (conflict)\n" });
  });

  it("an unknown plan or a missing --email is a usage error (exit 2) that never calls the server", async () => {
    const before = await g.t.services.storage.accounts.count();
    expect((await g.cli(["accounts", "create", "--email", "x@example.com", "--plan", "gold"])).code).toBe(2);
    expect((await g.cli(["accounts", "create"])).code).toBe(2);
    expect(await g.t.services.storage.accounts.count()).toBe(before);
  });

  it("get shows one account; an unknown id is exit 1 account_not_found", async () => {
    const { id } = await createAccount("get@example.com");
    const shown = await g.cli(["accounts", "get", id]);
    expect(shown.code).toBe(0);
    expect(field(shown.stdout, "id")).toBe(id);
    expect(field(shown.stdout, "email")).toBe("get@example.com");
    const missing = await g.cli(["accounts", "get", "acct_doesnotexist"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: No account with id acct_doesnotexist exists. (account_not_found)\n");
  });

  it("list prints an aligned table; --limit pages and --all follows every page", async () => {
    for (const n of [1, 2, 3]) await createAccount(`list${n}@example.com`);
    const total = await g.t.services.storage.accounts.count();
    const all = await g.cli(["accounts", "list", "--all", "--limit", "2"]);
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+EMAIL\s+PLAN\s+BALANCE\s+CREATED$/);
    expect(lines).toHaveLength(total + 1);
    // Aligned: every row's EMAIL column starts where the header's does.
    const emailColumn = lines[0]!.indexOf("EMAIL");
    for (const line of lines.slice(1)) expect(line.slice(emailColumn)).toMatch(/^\S+@example\.com\s/);
    expect(all.stdout).not.toContain("--cursor");

    const firstPage = await g.cli(["accounts", "list", "--limit", "2"]);
    expect(
      firstPage.stdout
        .trimEnd()
        .split("\n")
        .filter((line) => line.startsWith("acct_")),
    ).toHaveLength(2);
    const cursor = /--cursor (\S+), or --all/.exec(firstPage.stdout)?.[1];
    expect(cursor).toBeDefined();
    const secondPage = await g.cli(["accounts", "list", "--limit", "2", "--cursor", cursor!]);
    expect(secondPage.code).toBe(0);
    expect(secondPage.stdout).not.toContain(lines[1]!.split(" ")[0]!);
    expect((await g.cli(["accounts", "list", "--limit", "0"])).code).toBe(2);
  });

  it("--json prints exactly the admin API's JSON", async () => {
    const { id } = await createAccount("json@example.com");
    const get = await g.cli(["--json", "accounts", "get", id]);
    expect(JSON.parse(get.stdout)).toEqual((await g.admin("GET", `/admin/v1/accounts/${id}`)).json);
    const list = await g.cli(["accounts", "list", "--json", "--limit", "3"]);
    expect(JSON.parse(list.stdout)).toEqual((await g.admin("GET", "/admin/v1/accounts?limit=3")).json);
    const all = JSON.parse((await g.cli(["accounts", "list", "--all", "--json"])).stdout) as { object: string; data: unknown[]; has_more: boolean };
    expect(all).toMatchObject({ object: "list", has_more: false, next_cursor: null });
    expect(all.data).toHaveLength(await g.t.services.storage.accounts.count());
    const created = await g.cli(["accounts", "create", "--email", "json2@example.com", "--json"]);
    const body = JSON.parse(created.stdout) as { id: string };
    expect(body).toEqual((await g.admin("GET", `/admin/v1/accounts/${body.id}`)).json);
  });

  it("set-plan changes the plan", async () => {
    const { id } = await createAccount("plan@example.com");
    const result = await g.cli(["accounts", "set-plan", id, "enterprise"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Account ${id} is now on the enterprise plan.`);
    expect((await g.t.services.storage.accounts.get(id))?.plan).toBe("enterprise");
    expect((await g.cli(["accounts", "set-plan", id, "platinum"])).code).toBe(2);
    expect((await g.t.services.storage.accounts.get(id))?.plan).toBe("enterprise");
  });

  it("set-limits overrides rpm and tpm, and 'default' resets them to the plan's", async () => {
    const { id } = await createAccount("limits@example.com");
    const set = await g.cli(["accounts", "set-limits", id, "--rpm", "120", "--tpm", "50000"]);
    expect(set.code).toBe(0);
    expect(field(set.stdout, "rpm limit")).toBe("120 requests/min");
    expect(field(set.stdout, "tpm limit")).toBe("50000 tokens/min");
    expect(await g.t.services.storage.accounts.get(id)).toMatchObject({ rpmLimit: 120, tpmLimit: 50000 });

    const reset = await g.cli(["accounts", "set-limits", id, "--rpm", "default"]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(await g.t.services.storage.accounts.get(id)).toMatchObject({ rpmLimit: null, tpmLimit: 50000 });

    for (const bad of [["--rpm", "0"], ["--tpm", "-5"], ["--rpm", "1.5"], []]) {
      const result = await g.cli(["accounts", "set-limits", id, ...bad]);
      expect(result.code, bad.join(" ")).toBe(2);
    }
    expect(await g.t.services.storage.accounts.get(id)).toMatchObject({ rpmLimit: null, tpmLimit: 50000 });
  });
});
