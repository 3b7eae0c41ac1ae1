import { describe, expect, it } from "vitest";
import {
  type AuditRecord,
  checkEndpointAddresses,
  lowBalanceTransition,
  managementEvent,
  OPERATOR,
  restrictedAddressKind,
  webhookEventOf,
} from "../src/index.js";

function requestRecord(overrides: Partial<AuditRecord>): AuditRecord {
  return {
    ...managementEvent("key.created", OPERATOR, { accountId: "acct_1", apiKeyId: "key_1", keyLast4: "abcd", keyName: "ci" }, 1_700_000_000_000),
    type: "request",
    event: "api.request",
    requestId: "req_1",
    sourceIp: "198.51.100.7",
    status: 403,
    errorCode: "ip_not_allowed",
    actor: "key:key_1",
    metadata: { method: "POST", path: "/v1/chat/completions" },
    ...overrides,
  };
}

describe("the webhook event an audit record stands for", () => {
  it("a request refused by an allowlist: request.ip_blocked, one per key, address and hour", () => {
    const event = webhookEventOf(requestRecord({}));
    expect(event).toMatchObject({
      type: "request.ip_blocked",
      accountId: "acct_1",
      dedupeKey: `request.ip_blocked:key_1:198.51.100.7:${Math.floor(1_700_000_000_000 / 3_600_000)}`,
      hourlyCap: 20,
      data: {
        account_id: "acct_1",
        key: { id: "key_1", key_id: "abcd", name: "ci" },
        source_ip: "198.51.100.7",
        request_id: "req_1",
        path: "/v1/chat/completions",
      },
    });
  });

  it("a request refused for its key's spend cap: key.spend_cap_reached, once per key per UTC day", () => {
    const event = webhookEventOf(requestRecord({ status: 402, errorCode: "key_spend_cap_reached" }));
    expect(event).toMatchObject({
      type: "key.spend_cap_reached",
      dedupeKey: `key.spend_cap_reached:key_1:${Math.floor(1_700_000_000_000 / 86_400_000)}`,
      data: { account_id: "acct_1", key: { id: "key_1", key_id: "abcd", name: "ci" }, request_id: "req_1" },
    });
  });

  it("ordinary requests, other events and records without an account stand for nothing", () => {
    expect(webhookEventOf(requestRecord({ status: 200, errorCode: null }))).toBeNull();
    expect(webhookEventOf(requestRecord({ status: 429, errorCode: "rate_limit_exceeded" }))).toBeNull();
    expect(webhookEventOf(requestRecord({ accountId: null }))).toBeNull();
    expect(webhookEventOf(managementEvent("key.renamed", OPERATOR, { accountId: "acct_1" }, 0))).toBeNull();
  });
});

describe("the low-balance alert", () => {
  it("fires once below the threshold, re-arms at or above it, never without one", () => {
    expect(lowBalanceTransition(99, 100, false)).toEqual({ alerted: true, raise: true });
    expect(lowBalanceTransition(50, 100, true)).toEqual({ alerted: true, raise: false });
    expect(lowBalanceTransition(100, 100, true)).toEqual({ alerted: false, raise: false });
    expect(lowBalanceTransition(-5, null, false)).toEqual({ alerted: false, raise: false });
  });
});

describe("endpoint addresses", () => {
  it("only public unicast addresses pass by default", () => {
    expect(restrictedAddressKind("93.184.216.34")).toBeNull();
    expect(restrictedAddressKind("2606:4700::1111")).toBeNull();
    expect(restrictedAddressKind("127.0.0.1")).toBe("a loopback address");
    expect(restrictedAddressKind("::ffff:192.168.0.1")).toBe("a private address");
    expect(restrictedAddressKind("fe80::1%eth0")).toBe("a link-local address");
    expect(restrictedAddressKind("224.0.0.1")).toBe("a multicast address");
    expect(restrictedAddressKind("192.0.2.1")).toContain("special-purpose");
  });

  it("with private addresses allowed, http is accepted only when every address is private", () => {
    const policy = { allowPrivate: true };
    expect(() => checkEndpointAddresses(new URL("http://intranet/"), ["10.0.0.1", "127.0.0.1"], policy)).not.toThrow();
    expect(() => checkEndpointAddresses(new URL("http://mixed/"), ["10.0.0.1", "93.184.216.34"], policy)).toThrow("Use https");
    expect(() => checkEndpointAddresses(new URL("https://mixed/"), ["10.0.0.1", "93.184.216.34"], { allowPrivate: false })).toThrow("a private address");
  });
});
