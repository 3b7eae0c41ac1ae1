import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatMicros } from "../src/format.js";
import { parseMicros, parseUsd } from "../src/index.js";
import { ADMIN_TOKEN, type Gateway, startGateway } from "./cli-harness.js";

describe("USD amounts are converted with integer arithmetic", () => {
  it.each([
    ["12.5", 12_500_000],
    ["12.50", 12_500_000],
    ["0.000001", 1],
    ["0.1", 100_000],
    // 0.1 + 0.2 and friends: the float route would give 300000.00000000006 × 10^-6 style errors.
    ["0.3", 300_000],
    ["1.005", 1_005_000],
    ["4.35", 4_350_000],
    ["1234567.891011", 1_234_567_891_011],
    ["7", 7_000_000],
    [".25", 250_000],
    ["3.", 3_000_000],
    ["-2.5", -2_500_000],
    ["999999999.999999", 999_999_999_999_999],
  ])("%s USD → %i micros", (text, micros) => {
    expect(parseUsd(text)).toBe(micros);
  });

  it.each(["1.0000001", "0.0000001", "", ".", "-", "abc", "1,50", "1e3", "$5", "0", "0.000000", "1000000000.000001", "12.5.0"])("%j is refused", (text) => {
    expect(() => parseUsd(text)).toThrow();
  });

  it("micro-dollars must be a non-zero whole number", () => {
    expect(parseMicros("12500000")).toBe(12_500_000);
    expect(parseMicros("-1")).toBe(-1);
    for (const bad of ["1.5", "0", "12e6", "", "x"]) expect(() => parseMicros(bad), bad).toThrow();
  });

  it("money is shown with six decimals", () => {
    expect(formatMicros(12_500_000)).toBe("$12.500000");
    expect(formatMicros(1)).toBe("$0.000001");
    expect(formatMicros(-2_500_000)).toBe("-$2.500000");
    expect(formatMicros(0)).toBe("$0.000000");
  });
});

describe("bentoo credits grant", () => {
  let g: Gateway;
  let accountId: string;
  beforeAll(async () => {
    g = await startGateway();
    accountId = (await g.t.services.storage.accounts.create({ email: "credits@example.com", passwordHash: null, plan: "free" }))!.id;
  });
  afterAll(async () => {
    expect(g.transcript()).not.toContain(ADMIN_TOKEN);
    await g?.dispose();
  });
  const balance = async () => (await g.t.services.storage.accounts.get(accountId))?.balanceMicros;

  it("--usd 12.5 grants 12500000 micros and shows the new balance in USD", async () => {
    const result = await g.cli(["credits", "grant", accountId, "--usd", "12.5"]);
    expect(result).toEqual({ code: 0, stderr: "", stdout: `Granted $12.500000 to ${accountId}.\nNew balance: $12.500000\n` });
    expect(await balance()).toBe(12_500_000);
  });

  it("--usd 0.000001 grants exactly one micro-dollar; --micros grants as given", async () => {
    expect((await g.cli(["credits", "grant", accountId, "--usd", "0.000001"])).stdout).toContain("New balance: $12.500001");
    expect(await balance()).toBe(12_500_001);
    expect((await g.cli(["credits", "grant", accountId, "--micros", "2499999"])).stdout).toContain("New balance: $15.000000");
    expect(await balance()).toBe(15_000_000);
  });

  it("a negative amount debits", async () => {
    const result = await g.cli(["credits", "grant", accountId, "--usd", "-5"]);
    expect(result.stdout).toBe(`Debited $5.000000 from ${accountId}.\nNew balance: $10.000000\n`);
    expect(await balance()).toBe(10_000_000);
  });

  it("a debit larger than the balance is refused (exit 1, debit_exceeds_balance) unless --allow-negative", async () => {
    const refused = await g.cli(["credits", "grant", accountId, "--usd", "-25"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain("$10.000000");
    expect(refused.stderr).toContain("--allow-negative");
    expect(refused.stderr).toMatch(/\(debit_exceeds_balance\)\n$/);
    expect(await balance()).toBe(10_000_000);

    const allowed = await g.cli(["credits", "grant", accountId, "--usd", "-25", "--allow-negative"]);
    expect(allowed).toEqual({ code: 0, stderr: "", stdout: `Debited $25.000000 from ${accountId}.\nNew balance: -$15.000000\n` });
    expect(await balance()).toBe(-15_000_000);
    expect((await g.cli(["credits", "grant", accountId, "--usd", "25"])).stdout).toContain("New balance: $10.000000");
  });

  it("more than 6 decimals, neither or both amounts are usage errors (exit 2) and change nothing", async () => {
    const tooPrecise = await g.cli(["credits", "grant", accountId, "--usd", "1.0000001"]);
    expect(tooPrecise.code).toBe(2);
    expect(tooPrecise.stderr).toContain("at most 6 decimals");
    expect((await g.cli(["credits", "grant", accountId])).code).toBe(2);
    expect((await g.cli(["credits", "grant", accountId, "--usd", "1", "--micros", "1000000"])).code).toBe(2);
    expect((await g.cli(["credits", "grant", accountId, "--usd", "0"])).code).toBe(2);
    expect(await balance()).toBe(10_000_000);
  });

  it("--json prints the credit_grant object", async () => {
    const result = await g.cli(["credits", "grant", accountId, "--micros", "1", "--json"]);
    expect(JSON.parse(result.stdout)).toEqual({ object: "credit_grant", account_id: accountId, amount_micros: 1, balance_micros: 10_000_001 });
  });

  it("an unknown account is exit 1 account_not_found", async () => {
    const result = await g.cli(["credits", "grant", "acct_nobody", "--usd", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\(account_not_found\)\n$/);
  });
});
