import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, field, type Gateway, startGateway } from "./cli-harness.js";

describe("bentoo accounts/keys set-allowlist", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway();
  });
  afterAll(async () => {
    expect(g.transcript()).not.toContain(ADMIN_TOKEN);
    await g?.dispose();
  });

  /** An account on `plan` with one key, made through the CLI itself. */
  const accountWithKey = async (plan: "free" | "pro" | "enterprise") => {
    const account = await g.cli([
      "--json",
      "accounts",
      "create",
      "--email",
      `allow-${plan}-${Math.random().toString(36).slice(2)}@example.com`,
      "--plan",
      plan,
    ]);
    expect(account.code, account.stderr).toBe(0);
    const accountId = (JSON.parse(account.stdout) as { id: string }).id;
    const key = await g.cli(["--json", "keys", "create", accountId, "--name", "office", "--mode", "test"]);
    expect(key.code, key.stderr).toBe(0);
    return { accountId, keyId: (JSON.parse(key.stdout) as { id: string }).id };
  };

  it.each(["free", "pro"] as const)(
    "on %s both commands exit 1 with the server's plan_required, naming the command that lifts it; nothing is stored",
    async (plan) => {
      const { accountId, keyId } = await accountWithKey(plan);
      for (const argv of [
        ["accounts", "set-allowlist", accountId, "203.0.113.0/24"],
        ["keys", "set-allowlist", keyId, "203.0.113.0/24"],
      ]) {
        const refused = await g.cli(argv);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe("");
        expect(refused.stderr).toMatch(/^error: IP allowlists need the Enterprise plan; .* \(plan_required\)\n$/);
        expect(refused.stderr).toContain(`bentoo accounts set-plan ${accountId} enterprise`);
      }
      expect((await g.admin("GET", `/admin/v1/accounts/${accountId}`)).json).toMatchObject({ ip_allowlist: null });
      expect((await g.admin("GET", `/admin/v1/keys/${keyId}`)).json).toMatchObject({ ip_allowlist: null });
    },
  );

  it("on enterprise both commands store the normalized list and print it; --clear removes it", async () => {
    const { accountId, keyId } = await accountWithKey("enterprise");
    const account = await g.cli(["accounts", "set-allowlist", accountId, "203.0.113.7/24", "2001:DB8::/48"]);
    expect(account.code, account.stderr).toBe(0);
    expect(account.stdout).toContain(`Set the IP allowlist of ${accountId}.`);
    expect(field(account.stdout, "ip allowlist")).toBe("203.0.113.0/24, 2001:db8::/48");
    const key = await g.cli(["keys", "set-allowlist", keyId, "198.51.100.9"]);
    expect(key.code, key.stderr).toBe(0);
    expect(field(key.stdout, "ip allowlist")).toBe("198.51.100.9");
    expect((await g.admin("GET", `/admin/v1/keys/${keyId}`)).json).toMatchObject({ ip_allowlist: ["198.51.100.9"] });

    const cleared = await g.cli(["--json", "keys", "set-allowlist", keyId, "--clear"]);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout)).toMatchObject({ id: keyId, ip_allowlist: null });
    expect(field((await g.cli(["accounts", "set-allowlist", accountId, "--clear"])).stdout, "ip allowlist")).toBe("any IP");
  });

  it("entries and --clear together, or neither, is a usage error (exit 2) that never calls the server", async () => {
    const { accountId, keyId } = await accountWithKey("enterprise");
    expect(await g.cli(["keys", "set-allowlist", keyId])).toMatchObject({ code: 2, stderr: expect.stringContaining("or --clear to remove the allowlist") });
    expect(await g.cli(["accounts", "set-allowlist", accountId, "192.0.2.1", "--clear"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("not both"),
    });
    const bad = await g.cli(["keys", "set-allowlist", keyId, "10.0.0.999"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"10.0.0.999" is not an IP address or CIDR block');
  });
});
