import { describe, expect, it } from "vitest";
import { allowlistEntryError, checkAllowlist, parseAllowlist } from "../src/lib/ip";

describe("allowlist entries", () => {
  it.each([
    "203.0.113.7",
    "0.0.0.0/0",
    "10.0.0.0/8",
    "192.168.1.0/24",
    "::1",
    "::",
    "2001:db8::/32",
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
    "fe80::1/128",
    "::ffff:192.0.2.1",
  ])("accepts %s", (entry) => expect(allowlistEntryError(entry)).toBeNull());

  it.each([
    "10.0.0.999",
    "10.0.0",
    "10.0.0.01",
    "1.2.3.4/33",
    "2001:db8::/129",
    "2001:db8:::1",
    "1:2:3:4:5:6:7:8:9",
    "example.com",
    "10.0.0.0/8/8",
    "1.2.3.4/",
    "gggg::1",
  ])("names the bad entry %s", (entry) => expect(allowlistEntryError(entry)).toContain(entry));

  it("parses one entry a line (commas too), dropping blanks, and reports every bad one", () => {
    expect(parseAllowlist(" 10.0.0.1 \n\n2001:db8::/32, 192.0.2.0/24\n")).toEqual(["10.0.0.1", "2001:db8::/32", "192.0.2.0/24"]);
    const check = checkAllowlist("10.0.0.1\n300.1.1.1\nnope");
    expect(check.entries).toHaveLength(3);
    expect(check.errors).toHaveLength(2);
  });
});
