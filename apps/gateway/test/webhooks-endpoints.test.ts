import type { HostResolver } from "@bentoo/core";
import { storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browser, signedUp } from "./api-helpers.js";
import { ADMIN_TOKEN, createTestApp, type TestApp } from "./helpers.js";
import { deliveriesOf, registerEndpoint } from "./webhook-helpers.js";

/** Names resolve as this table says (nothing reaches the network): what a DNS server would answer, changeable mid-test. */
function fakeDns(table: Record<string, string[]>): HostResolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses;
  };
}

/** A documentation-range public address stands in for a public host: it is only ever compared, never connected to. */
const PUBLIC = "93.184.216.34";

describe.each(storageTargets())("webhook endpoints (/api/webhooks, /admin/v1/accounts/{id}/webhooks) on $name", (target) => {
  let t: TestApp;
  const dns: Record<string, string[]> = {
    "hooks.example.com": [PUBLIC],
    "localhost.example.com": ["127.0.0.1"],
    "intranet.example.com": ["10.1.2.3"],
    "mixed.example.com": [PUBLIC, "192.168.1.20"],
    "rebind.example.com": [PUBLIC],
  };

  beforeAll(async () => {
    // The default rules: no BENTOO_WEBHOOKS_ALLOW_PRIVATE.
    t = await createTestApp({ target, env: { BENTOO_WEBHOOKS_POLL_MS: "20" }, resolveHost: fakeDns(dns) });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("an endpoint on a loopback, private or link-local address is refused by default, with the reason", async () => {
    const b = await signedUp(t);
    const refused: Array<[string, string]> = [
      ["https://127.0.0.1/hook", "127.0.0.1, a loopback address"],
      ["https://localhost.example.com/hook", "127.0.0.1, a loopback address"],
      ["https://intranet.example.com/hook", "10.1.2.3, a private address"],
      ["https://mixed.example.com/hook", "192.168.1.20, a private address"],
      ["https://169.254.169.254/latest/meta-data", "169.254.169.254, a link-local address"],
      ["https://[::1]:8443/hook", "::1, a loopback address"],
      ["https://[fd00::5]/hook", "a private (unique local) address"],
      ["https://[::ffff:10.0.0.1]/hook", "a private address"],
      ["https://100.64.0.9/hook", "a carrier-grade NAT address"],
      ["https://0.0.0.0/hook", "the unspecified address"],
    ];
    for (const [url, reason] of refused) {
      const response = await b.request("POST", "/api/webhooks", { url, event_types: ["key.created"] });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error, url).toMatchObject({ code: "invalid_request", param: "url" });
      expect(response.json().error.message, url).toContain(reason);
      expect(response.json().error.message, url).toContain("BENTOO_WEBHOOKS_ALLOW_PRIVATE=true");
    }
    expect((await b.request("GET", "/api/webhooks")).json().data).toEqual([]);
  });

  it("a URL must be https, absolute, resolvable, without credentials or a fragment", async () => {
    const b = await signedUp(t);
    const cases: Array<[string, string]> = [
      ["http://hooks.example.com/hook", "must use https"],
      ["ftp://hooks.example.com/hook", "must be an https:// URL"],
      ["hooks.example.com/hook", "must be an absolute URL"],
      ["https://nowhere.example.com/hook", "could not be resolved"],
      ["https://user:pass@hooks.example.com/hook", "must not carry a user name or password"],
      ["https://hooks.example.com/hook#part", "must not have a fragment"],
      [`https://hooks.example.com/${"a".repeat(2100)}`, "at most 2048 characters"],
    ];
    for (const [url, message] of cases) {
      const response = await b.request("POST", "/api/webhooks", { url, event_types: ["key.created"] });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.param, url).toBe("url");
      expect(response.json().error.message, url).toContain(message);
    }
  });

  it("a public https endpoint is registered; its secret is shown once", async () => {
    const b = await signedUp(t);
    const created = await b.request("POST", "/api/webhooks", {
      url: "https://hooks.example.com/bentoo?source=prod",
      description: "billing",
      event_types: ["balance.low", "key.revoked", "balance.low"],
    });
    expect(created.statusCode).toBe(201);
    const endpoint = created.json();
    expect(endpoint).toMatchObject({
      object: "webhook_endpoint",
      url: "https://hooks.example.com/bentoo?source=prod",
      description: "billing",
      event_types: ["balance.low", "key.revoked"],
      enabled: true,
      previous_secret_expires_at: null,
    });
    expect(endpoint.id).toMatch(/^we_/);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = (await b.request("GET", "/api/webhooks")).json().data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty("secret");
    const fetched = (await b.request("GET", `/api/webhooks/${endpoint.id}`)).json();
    expect(fetched).not.toHaveProperty("secret");
    expect(JSON.stringify(fetched)).not.toContain(endpoint.secret);
    // The change is in the account's audit log, without the secret.
    const events = (await b.request("GET", "/api/audit/logs?event=webhook.created")).json().data;
    expect(events).toHaveLength(1);
    expect(events[0].metadata).toMatchObject({ webhook_id: endpoint.id, url: endpoint.url });
    expect(JSON.stringify(events)).not.toContain(endpoint.secret);
  });

  it("bodies are strict: an unknown member or event type is a 400 naming it", async () => {
    const b = await signedUp(t);
    const unknownMember = await b.request("POST", "/api/webhooks", {
      url: "https://hooks.example.com/",
      event_types: ["key.created"],
      events: ["key.created"],
    });
    expect(unknownMember.statusCode).toBe(400);
    expect(unknownMember.json().error).toMatchObject({ code: "invalid_request", param: "events" });
    expect(unknownMember.json().error.message).toContain("Unknown parameter: events. This endpoint accepts: url, description, event_types, enabled.");
    const unknownType = await b.request("POST", "/api/webhooks", { url: "https://hooks.example.com/", event_types: ["key.created", "key.deleted"] });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error.param).toBe("event_types");
    expect(unknownType.json().error.message).toContain('Unknown event type "key.deleted"');
    for (const eventTypes of [undefined, [], "key.created"]) {
      const response = await b.request("POST", "/api/webhooks", { url: "https://hooks.example.com/", event_types: eventTypes });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.param).toBe("event_types");
    }
    const endpoint = await registerEndpoint(b, "https://hooks.example.com/", ["key.created"]);
    const emptyPatch = await b.request("PATCH", `/api/webhooks/${endpoint.id}`, {});
    expect(emptyPatch.statusCode).toBe(400);
    const badPatch = await b.request("PATCH", `/api/webhooks/${endpoint.id}`, { enabled: "no" });
    expect(badPatch.json().error.param).toBe("enabled");
    const badRoll = await b.request("POST", `/api/webhooks/${endpoint.id}/roll-secret`, { grace: 3600 });
    expect(badRoll.json().error).toMatchObject({ code: "invalid_request", param: "grace" });
    const longGrace = await b.request("POST", `/api/webhooks/${endpoint.id}/roll-secret`, { grace_seconds: 8 * 86_400 });
    expect(longGrace.json().error.param).toBe("grace_seconds");
  });

  it("another account's endpoint reads as missing on every route", async () => {
    const owner = await signedUp(t);
    const endpoint = await registerEndpoint(owner, "https://hooks.example.com/", ["key.created"]);
    const other = await signedUp(t);
    const attempts = [
      other.request("GET", `/api/webhooks/${endpoint.id}`),
      other.request("PATCH", `/api/webhooks/${endpoint.id}`, { enabled: false }),
      other.request("DELETE", `/api/webhooks/${endpoint.id}`),
      other.request("POST", `/api/webhooks/${endpoint.id}/roll-secret`),
      other.request("GET", `/api/webhooks/${endpoint.id}/deliveries`),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("webhook_endpoint_not_found");
    }
    expect((await owner.request("GET", `/api/webhooks/${endpoint.id}`)).json().enabled).toBe(true);
    // Without a session, or without the CSRF token, nothing.
    expect((await browser(t).request("GET", "/api/webhooks")).statusCode).toBe(401);
    expect(
      (await owner.request("POST", "/api/webhooks", { url: "https://hooks.example.com/", event_types: ["key.created"] }, { "x-csrf-token": "wrong" }))
        .statusCode,
    ).toBe(403);
  });

  it("an account holds at most 16 endpoints", async () => {
    const b = await signedUp(t);
    for (let index = 0; index < 16; index += 1) await registerEndpoint(b, `https://hooks.example.com/${index}`, ["key.created"]);
    const seventeenth = await b.request("POST", "/api/webhooks", { url: "https://hooks.example.com/16", event_types: ["key.created"] });
    expect(seventeenth.statusCode).toBe(403);
    expect(seventeenth.json().error.code).toBe("webhook_limit_reached");
    const [first] = (await b.request("GET", "/api/webhooks")).json().data;
    expect((await b.request("DELETE", `/api/webhooks/${first.id}`)).json()).toEqual({ id: first.id, object: "webhook_endpoint", deleted: true });
    expect((await b.request("GET", `/api/webhooks/${first.id}`)).statusCode).toBe(404);
    expect((await b.request("POST", "/api/webhooks", { url: "https://hooks.example.com/16", event_types: ["key.created"] })).statusCode).toBe(201);
  });

  it("a host that resolves to a private address at delivery time (DNS rebinding) is not sent to", async () => {
    const b = await signedUp(t);
    const endpoint = await registerEndpoint(b, "https://rebind.example.com/hook", ["key.created"]);
    dns["rebind.example.com"] = ["127.0.0.1"];
    try {
      await b.request("POST", "/api/keys", { name: "k", mode: "test" });
      await t.services.webhookDispatcher.poll();
      await t.services.webhookDispatcher.idle();
      const [delivery] = await deliveriesOf(b, endpoint.id);
      expect(delivery).toMatchObject({ status: "pending", attempts: 1, last_status_code: null });
      expect(delivery!.last_error).toContain("not sent: webhook endpoint: rebind.example.com resolves to 127.0.0.1, a loopback address");
    } finally {
      dns["rebind.example.com"] = [PUBLIC];
    }
  });

  it("a disabled endpoint gets no deliveries for events raised meanwhile", async () => {
    const b = await signedUp(t);
    const endpoint = await registerEndpoint(b, "https://hooks.example.com/", ["key.created"], { enabled: false });
    await b.request("POST", "/api/keys", { name: "while disabled", mode: "test" });
    expect(await deliveriesOf(b, endpoint.id)).toEqual([]);
    expect((await b.request("PATCH", `/api/webhooks/${endpoint.id}`, { enabled: true, description: "on" })).json()).toMatchObject({
      enabled: true,
      description: "on",
    });
    await b.request("POST", "/api/keys", { name: "after", mode: "test" });
    const log = await deliveriesOf(b, endpoint.id);
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0]!.payload as string).data.key.name).toBe("after");
  });

  it("the admin API manages an account's endpoints and reads their delivery log", async () => {
    const { account } = await t.seedAccount();
    const admin = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
      t.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload === undefined ? {} : { payload }) });
    const created = await admin("POST", `/admin/v1/accounts/${account.id}/webhooks`, { url: "https://hooks.example.com/ops", event_types: ["key.rolled"] });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(secret).toMatch(/^whsec_/);
    expect((await admin("GET", `/admin/v1/accounts/${account.id}/webhooks`)).json().data.map((item: { id: string }) => item.id)).toEqual([id]);
    expect(
      (await admin("PATCH", `/admin/v1/accounts/${account.id}/webhooks/${id}`, { event_types: ["key.rolled", "key.revoked"] })).json().event_types,
    ).toEqual(["key.rolled", "key.revoked"]);
    expect((await admin("PATCH", `/admin/v1/accounts/${account.id}/webhooks/${id}`, { colour: "blue" })).json().error.param).toBe("colour");
    const other = await t.seedAccount();
    expect((await admin("GET", `/admin/v1/accounts/${other.account.id}/webhooks/${id}`)).statusCode).toBe(404);
    expect((await admin("GET", "/admin/v1/accounts/acct_00000000000000000000/webhooks")).json().error.code).toBe("account_not_found");
    expect((await admin("GET", `/admin/v1/accounts/${account.id}/webhooks/${id}/deliveries`)).json()).toEqual({
      object: "list",
      data: [],
      has_more: false,
      next_cursor: null,
    });
    const unknownDelivery = await admin("POST", `/admin/v1/accounts/${account.id}/webhooks/${id}/deliveries/dlv_00000000000000000000/redeliver`);
    expect(unknownDelivery.json().error.code).toBe("webhook_delivery_not_found");
    expect((await admin("DELETE", `/admin/v1/accounts/${account.id}/webhooks/${id}`)).statusCode).toBe(200);
  });
});

describe("webhook endpoints with BENTOO_WEBHOOKS_ALLOW_PRIVATE=true", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { BENTOO_WEBHOOKS_ALLOW_PRIVATE: "true" },
      resolveHost: fakeDns({ "hooks.example.com": [PUBLIC], "intranet.example.com": ["10.1.2.3"] }),
    });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("private and loopback endpoints are accepted, over plain http too; public ones still need https", async () => {
    const b = await signedUp(t);
    for (const url of ["http://127.0.0.1:9/hook", "http://intranet.example.com/hook", "https://intranet.example.com/hook", "https://hooks.example.com/hook"]) {
      expect((await b.request("POST", "/api/webhooks", { url, event_types: ["key.created"] })).statusCode, url).toBe(201);
    }
    const publicHttp = await b.request("POST", "/api/webhooks", { url: "http://hooks.example.com/hook", event_types: ["key.created"] });
    expect(publicHttp.statusCode).toBe(400);
    expect(publicHttp.json().error.message).toContain("plain http is accepted only for endpoints on loopback or private addresses. Use https.");
  });
});
