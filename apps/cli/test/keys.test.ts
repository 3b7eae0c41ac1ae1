import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, field, type Gateway, printedKey, startGateway } from "./cli-harness.js";

const ANY_SECRET = /btoo_sk_(live|test)_[A-Za-z0-9]{8}/;

describe("bentoo keys", () => {
  let g: Gateway;
  const secrets: string[] = [];
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    const printed = g.transcript();
    expect(printed).not.toContain(ADMIN_TOKEN);
    // Each full key was printed exactly once: by the create or roll that made it.
    for (const secret of secrets) expect(printed.split(secret).length - 1, secret.slice(-4)).toBe(1);
    await g?.dispose();
  });

  const newAccount = async (plan: "free" | "pro" = "pro") =>
    (await g.t.services.storage.accounts.create({ email: `keys-${Math.random().toString(36).slice(2)}@example.com`, passwordHash: null, plan }))!.id;

  const createKey = async (accountId: string, name: string, ...extra: string[]) => {
    const result = await g.cli(["keys", "create", accountId, "--name", name, "--mode", "test", ...extra]);
    expect(result.code, result.stderr).toBe(0);
    const secret = printedKey(result.stdout);
    secrets.push(secret);
    const id = field(result.stdout, "id");
    if (id === undefined) throw new Error(result.stdout);
    return { id, secret, result };
  };

  it("create prints the full key once, with a warning, and the key works on /v1/models", async () => {
    const accountId = await newAccount();
    const { id, secret, result } = await createKey(accountId, "production-webapp");
    expect(id).toMatch(/^key_/);
    expect(secret).toMatch(/^btoo_sk_test_/);
    expect(result.stdout).toContain("it will not be shown again");
    expect(field(result.stdout, "key id")).toBe(`••••${secret.slice(-4)}`);
    expect(field(result.stdout, "name")).toBe("production-webapp");
    expect(field(result.stdout, "status")).toBe("active");
    expect(await g.modelsStatus(secret)).toEqual({ status: 200, code: null });
  });

  it("create honours --mode live and --expires-at, and refuses a bad timestamp or mode before calling the server", async () => {
    const accountId = await newAccount();
    const { secret, result } = await createKey(accountId, "expiring", "--mode", "live", "--expires-at", "2099-01-31T00:00:00Z");
    expect(secret).toMatch(/^btoo_sk_live_/);
    expect(field(result.stdout, "expires")).toBe("2099-01-31T00:00:00Z");
    expect((await g.cli(["keys", "create", accountId, "--name", "x", "--expires-at", "next tuesday"])).code).toBe(2);
    expect((await g.cli(["keys", "create", accountId, "--name", "x", "--mode", "prod"])).code).toBe(2);
    expect((await g.cli(["keys", "create", accountId])).code).toBe(2);
    const past = await g.cli(["keys", "create", accountId, "--name", "x", "--expires-at", "2001-01-01T00:00:00Z"]);
    expect(past).toMatchObject({
      code: 1,
      stderr: "error: expires_at must be in the future; send null to remove an expiry, or revoke the key to end it now. (invalid_request)\n",
    });
  });

  it("list and get show the key ID as ••••abcd and never a secret", async () => {
    const accountId = await newAccount();
    const first = await createKey(accountId, "first");
    const second = await createKey(accountId, "second");
    const list = await g.cli(["keys", "list", accountId]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+KEY\s+MODE\s+STATUS\s+CREATED\s+LAST USED$/);
    expect(lines).toHaveLength(3);
    expect(list.stdout).toContain(`••••${first.secret.slice(-4)}`);
    expect(list.stdout).toContain(`••••${second.secret.slice(-4)}`);
    expect(list.stdout).not.toMatch(ANY_SECRET);
    const all = await g.cli(["keys", "list", accountId, "--all", "--limit", "1"]);
    expect(all.stdout).toBe(list.stdout);

    const get = await g.cli(["keys", "get", first.id]);
    expect(field(get.stdout, "name")).toBe("first");
    expect(get.stdout).not.toMatch(ANY_SECRET);
    const json = await g.cli(["keys", "list", accountId, "--json"]);
    expect(json.stdout).not.toMatch(ANY_SECRET);
    expect(JSON.parse(json.stdout)).toEqual((await g.admin("GET", `/admin/v1/accounts/${accountId}/keys`)).json);
  });

  it("--json of create and get equals the admin API's JSON; only create carries the key", async () => {
    const accountId = await newAccount();
    const created = JSON.parse((await g.cli(["keys", "create", accountId, "--name", "scripted", "--mode", "test", "--json"])).stdout) as Record<
      string,
      unknown
    >;
    secrets.push(String(created.key));
    expect(created).toMatchObject({ object: "api_key", name: "scripted", mode: "test", status: "active", account_id: accountId });
    const { key, ...rest } = created;
    expect(key).toMatch(/^btoo_sk_test_/);
    const get = await g.cli(["--json", "keys", "get", String(created.id)]);
    expect(JSON.parse(get.stdout)).toEqual(rest);
    expect(JSON.parse(get.stdout)).toEqual((await g.admin("GET", `/admin/v1/keys/${String(created.id)}`)).json);
  });

  it("rename changes the name and nothing else", async () => {
    const accountId = await newAccount();
    const { id, secret } = await createKey(accountId, "old-name");
    const result = await g.cli(["keys", "rename", id, "new-name"]);
    expect(result).toEqual({ code: 0, stderr: "", stdout: `Renamed ${id} (••••${secret.slice(-4)}) to "new-name".\n` });
    expect((await g.t.services.storage.keys.get(id))?.name).toBe("new-name");
    expect(await g.modelsStatus(secret)).toEqual({ status: 200, code: null });
  });

  it("create sets scopes, the key's own limits, a spend cap and models; get shows them", async () => {
    const accountId = await newAccount();
    const { id, secret, result } = await createKey(
      accountId,
      "restricted",
      "--scopes",
      "inference",
      "--rpm",
      "5",
      "--tpm",
      "20000",
      "--spend-cap",
      "20.50/month",
      "--models",
      "openai/*,anthropic/claude-sonnet-5.5",
    );
    expect(field(result.stdout, "scopes")).toBe("inference");
    expect(field(result.stdout, "rpm limit")).toBe("5 requests/min");
    expect(field(result.stdout, "tpm limit")).toBe("20000 tokens/min");
    expect(field(result.stdout, "spend cap")).toBe("$20.500000 per month");
    expect(field(result.stdout, "models")).toBe("openai/*, anthropic/claude-sonnet-5.5");
    expect(await g.t.services.storage.keys.get(id)).toMatchObject({
      scopes: ["inference"],
      rpmLimit: 5,
      tpmLimit: 20_000,
      spendCap: { amountMicros: 20_500_000, period: "month" },
      models: ["openai/*", "anthropic/claude-sonnet-5.5"],
    });
    // Without key:read, the key cannot read /v1/key; it still lists its models.
    expect(await g.modelsStatus(secret)).toEqual({ status: 200, code: null });
    for (const bad of [
      ["--scopes", "admin"],
      ["--rpm", "0"],
      ["--spend-cap", "20"],
      ["--spend-cap", "20/year"],
      ["--models", ","],
    ]) {
      expect((await g.cli(["keys", "create", accountId, "--name", "x", ...bad])).code, bad.join(" ")).toBe(2);
    }
  });

  it("update changes controls and expiry, removes them with none/all/never, and needs at least one option", async () => {
    const accountId = await newAccount();
    const { id } = await createKey(accountId, "changing", "--rpm", "5", "--models", "openai/*");
    const updated = await g.cli(["keys", "update", id, "--rpm", "none", "--spend-cap", "1/day", "--models", "all", "--scopes", "inference,audit:read"]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(field(updated.stdout, "rpm limit")).toBe("account's");
    expect(field(updated.stdout, "spend cap")).toBe("$1.000000 per day");
    expect(field(updated.stdout, "models")).toBe("all");
    expect(field(updated.stdout, "scopes")).toBe("inference, audit:read");
    const expiring = await g.cli(["keys", "update", id, "--expires-at", "2099-01-31T00:00:00Z", "--spend-cap", "none"]);
    expect(field(expiring.stdout, "expires")).toBe("2099-01-31T00:00:00Z");
    expect(field(expiring.stdout, "spend cap")).toBe("none");
    expect(field((await g.cli(["keys", "update", id, "--expires-at", "never"])).stdout, "expires")).toBe("never");
    expect(await g.cli(["keys", "update", id])).toMatchObject({ code: 2 });
    const unknownModel = await g.cli(["keys", "update", id, "--models", "nosuch/*"]);
    expect(unknownModel).toMatchObject({ code: 1, stdout: "" });
    expect(unknownModel.stderr).toContain("matches no model of this server's catalog");
  });

  it("revoke: the very next request with the key gets 401", async () => {
    const accountId = await newAccount();
    const { id, secret } = await createKey(accountId, "doomed");
    expect((await g.modelsStatus(secret)).status).toBe(200);
    const result = await g.cli(["keys", "revoke", id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Revoked ${id} "doomed" \\(••••${secret.slice(-4)}\\) at \\d{4}-`));
    expect(await g.modelsStatus(secret)).toEqual({ status: 401, code: "revoked_api_key" });
    expect(field((await g.cli(["keys", "get", id])).stdout, "status")).toBe("revoked");
    const unknown = await g.cli(["keys", "revoke", "key_nope"]);
    expect(unknown).toMatchObject({ code: 1, stdout: "" });
    expect(unknown.stderr).toMatch(/\(key_not_found\)\n$/);
  });

  it("roll --grace 1h: the new key is printed once and both keys work", async () => {
    const accountId = await newAccount();
    const old = await createKey(accountId, "rolling");
    const result = await g.cli(["keys", "roll", old.id, "--grace", "1h"]);
    expect(result.code, result.stderr).toBe(0);
    const replacement = printedKey(result.stdout);
    secrets.push(replacement);
    expect(replacement).not.toBe(old.secret);
    expect(result.stdout).toContain("it will not be shown again");
    expect(result.stdout).toMatch(new RegExp(`The previous key ••••${old.secret.slice(-4)} \\(${old.id}\\) keeps working until \\d{4}-`));
    expect(await g.modelsStatus(old.secret)).toEqual({ status: 200, code: null });
    expect(await g.modelsStatus(replacement)).toEqual({ status: 200, code: null });
    const expiry = (await g.t.services.storage.keys.get(old.id))?.expiresAt ?? 0;
    expect(expiry).toBe(g.t.clock.now() + 3600_000);
  });

  it("roll --grace none: the old key gets 401 at once; until-revoked leaves it without expiry", async () => {
    const accountId = await newAccount();
    const old = await createKey(accountId, "rolling-now");
    const result = await g.cli(["keys", "roll", old.id, "--grace", "none", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout) as { key: string; name: string; rolled_from: string; previous_key: { id: string; status: string } };
    secrets.push(body.key);
    expect(body).toMatchObject({ name: "rolling-now", rolled_from: old.id, previous_key: { id: old.id, status: "revoked" } });
    expect(await g.modelsStatus(old.secret)).toEqual({ status: 401, code: "revoked_api_key" });
    expect((await g.modelsStatus(body.key)).status).toBe(200);

    const kept = await createKey(accountId, "kept");
    const forever = await g.cli(["keys", "roll", kept.id, "--grace", "until-revoked"]);
    secrets.push(printedKey(forever.stdout));
    expect(forever.stdout).toContain(`keeps working until you revoke it: bentoo keys revoke ${kept.id}`);
    expect((await g.t.services.storage.keys.get(kept.id))?.expiresAt).toBeNull();
    expect((await g.modelsStatus(kept.secret)).status).toBe(200);

    expect((await g.cli(["keys", "roll", kept.id, "--grace", "2d"])).code).toBe(2);
    expect((await g.cli(["keys", "roll", kept.id])).code).toBe(2);
  });

  it("rolling a key that was already rolled is exit 1 with key_already_rolled naming its replacement", async () => {
    const accountId = await newAccount("free");
    const old = await createKey(accountId, "rolled-twice");
    const first = await g.cli(["keys", "roll", old.id, "--grace", "7d", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const replacement = JSON.parse(first.stdout) as { id: string; key: string; key_id: string };
    secrets.push(replacement.key);
    const again = await g.cli(["keys", "roll", old.id, "--grace", "7d"]);
    expect(again).toMatchObject({ code: 1, stdout: "" });
    expect(again.stderr).toMatch(
      new RegExp(
        `^error: API key ••••${old.secret.slice(-4)} \\(${old.id}\\) was already rolled: its replacement ••••${replacement.key_id} \\(${replacement.id}\\) is active.* Roll the replacement instead, or revoke this key to end it now\\. \\(key_already_rolled\\)\n$`,
      ),
    );
    expect(again.stderr).not.toMatch(ANY_SECRET);
  });

  it("the 51st active key on a free account is exit 1 with the plan_limit_reached message", async () => {
    const accountId = await newAccount("free");
    const account = await g.t.services.storage.accounts.get(accountId);
    if (account === null) throw new Error("no account");
    for (let n = 0; n < 50; n += 1) await g.t.services.keys.create(account, { name: `bulk-${n}`, mode: "test" });
    const result = await g.cli(["keys", "create", accountId, "--name", "one-too-many"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: The free plan allows at most 50 active API keys.*Pro plan.* \(plan_limit_reached\)\n$/);
    expect(result.stderr).not.toMatch(ANY_SECRET);
    // After moving to pro through the CLI, the same command works.
    expect((await g.cli(["accounts", "set-plan", accountId, "pro"])).code).toBe(0);
    await createKey(accountId, "fifty-first");
  });
});
