import { describe, expect, it } from "vitest";
import { AllowlistCache, BentooError, compileAllowlist, normalizeAllowlist, parseAllowlist, parseClientAddress } from "../src/index.js";

describe("IP allowlists", () => {
  it.each([
    // IPv4 CIDR edges: the first and last address of the block, and one on each side.
    ["198.51.100.0/24", "198.51.100.0", true],
    ["198.51.100.0/24", "198.51.100.255", true],
    ["198.51.100.0/24", "198.51.99.255", false],
    ["198.51.100.0/24", "198.51.101.0", false],
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["0.0.0.0/0", "203.0.113.9", true],
    ["203.0.113.9", "203.0.113.9", true],
    ["203.0.113.9", "203.0.113.10", false],
    ["203.0.113.9/32", "203.0.113.8", false],
    // IPv6, edges of a /48 and an odd prefix.
    ["2001:db8:abcd::/48", "2001:db8:abcd::", true],
    ["2001:db8:abcd::/48", "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff", true],
    ["2001:db8:abcd::/48", "2001:db8:abce::", false],
    ["2001:db8:abcd::/48", "2001:db8:abcc:ffff:ffff:ffff:ffff:ffff", false],
    ["2001:db8::/33", "2001:db8:7fff::1", true],
    ["2001:db8::/33", "2001:db8:8000::", false],
    ["2001:DB8::1", "2001:db8:0:0:0:0:0:1", true],
    ["::1", "::1", true],
    // IPv4-mapped IPv6: dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d.
    ["10.0.0.0/8", "::ffff:10.0.0.1", true],
    ["10.0.0.0/8", "::ffff:11.0.0.1", false],
    ["::ffff:10.0.0.0/104", "10.1.2.3", true],
    ["::ffff:0:0/96", "192.0.2.1", true],
    ["::ffff:0:0/96", "2001:db8::1", false],
    ["::/0", "192.0.2.1", true],
    ["2001:db8::/32", "192.0.2.1", false],
    ["192.0.2.0/24", "2001:db8::1", false],
    // Addresses that are not addresses never match.
    ["0.0.0.0/0", "not-an-ip", false],
    ["0.0.0.0/0", "10", false],
    ["0.0.0.0/0", "", false],
    ["fe80::/10", "fe80::1%eth0", true],
  ])("%s allows %s: %s", (entry, ip, expected) => {
    expect(parseAllowlist([entry], "ip_allowlist").allows(ip)).toBe(expected);
  });

  it("needs any one entry to match", () => {
    const list = parseAllowlist(["192.0.2.0/24", "2001:db8::/32", "203.0.113.7"], "ip_allowlist");
    expect(["192.0.2.77", "2001:db8::5", "203.0.113.7"].map((ip) => list.allows(ip))).toEqual([true, true, true]);
    expect(["192.0.3.1", "2001:db9::", "203.0.113.8"].map((ip) => list.allows(ip))).toEqual([false, false, false]);
  });

  it("normalizes entries: canonical IPv6, network addresses, no duplicates", () => {
    expect(parseAllowlist([" 10.1.2.3/8 ", "2001:DB8:0:0::1", "10.0.0.0/8", "::FFFF:192.168.1.1", "2001:db8::/32"], "p").entries).toEqual([
      "10.0.0.0/8",
      "2001:db8::1",
      "::ffff:192.168.1.1",
      "2001:db8::/32",
    ]);
    expect(normalizeAllowlist([])).toBeNull();
    expect(normalizeAllowlist(null)).toBeNull();
  });

  it.each([
    ["10.0.0.999"],
    ["198.51.100.7/33"],
    ["2001:db8::/129"],
    ["010.0.0.1"],
    ["10"],
    ["1.2.3.4/-1"],
    ["example.com"],
    ["fe80::1%eth0"],
    [""],
    ["1.2.3.4 5.6.7.8"],
    ["x".repeat(500)],
  ])("refuses %j naming the entry and its index", (bad) => {
    const attempt = () => parseAllowlist(["203.0.113.7", "2001:db8::/32", bad], "ip_allowlist");
    expect(attempt).toThrow(BentooError);
    try {
      attempt();
    } catch (error) {
      const failure = error as BentooError;
      expect(failure.code).toBe("invalid_request");
      expect(failure.param).toBe("ip_allowlist[2]");
      expect(failure.message).toContain("ip_allowlist[2]");
      expect(failure.message).toContain(JSON.stringify(bad.slice(0, 64)).slice(0, -1));
    }
  });

  it("holds at most 1000 entries", () => {
    const entries = Array.from({ length: 1001 }, (_, index) => `10.0.${index >> 8}.${index & 255}`);
    expect(() => parseAllowlist(entries, "ip_allowlist")).toThrow(/at most 1000/);
    expect(parseAllowlist(entries.slice(0, 1000), "ip_allowlist").entries).toHaveLength(1000);
  });

  it("a stored entry that no longer parses matches nothing, and the list still restricts", () => {
    const list = compileAllowlist(["garbage", "192.0.2.1"]);
    expect(list.allows("192.0.2.1")).toBe(true);
    expect(list.allows("192.0.2.2")).toBe(false);
    expect(compileAllowlist(["garbage"]).allows("192.0.2.1")).toBe(false);
  });

  it("compiles each stored list once, keyed by the array", () => {
    const cache = new AllowlistCache();
    const stored = ["192.0.2.0/24"];
    expect(cache.get(stored)).toBe(cache.get(stored));
    expect(cache.get(["192.0.2.0/24"])).not.toBe(cache.get(stored));
  });

  it("parses a client address once for several lists", () => {
    const address = parseClientAddress("::ffff:192.0.2.1");
    expect(parseAllowlist(["192.0.2.0/24"], "a").allowsAddress(address)).toBe(true);
    expect(parseAllowlist(["::ffff:192.0.2.1"], "b").allowsAddress(address)).toBe(true);
    expect(parseAllowlist(["0.0.0.0/0"], "c").allowsAddress(null)).toBe(false);
  });

  it("answers each address for itself, whatever was parsed before it", () => {
    const inside = parseAllowlist(["192.0.2.0/24"], "a");
    const sequence = ["192.0.2.1", "198.51.100.7", "198.51.100.7", "not an address", "192.0.2.1", "::1", "192.0.2.1"];
    expect(sequence.map((ip) => inside.allowsAddress(parseClientAddress(ip)))).toEqual([true, false, false, false, true, false, true]);
    expect(parseClientAddress("not an address")).toBeNull();
  });
});
