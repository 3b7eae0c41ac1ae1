import { type ConnectionKeyMemo, generateApiKey, KeyCache, KeyVerifier, type KeyWithAccount } from "@bentoo/core";
import { describe, expect, it } from "vitest";

function subjectFor(overrides: Partial<KeyWithAccount["key"]> = {}): KeyWithAccount {
  return {
    key: {
      id: "key_1",
      accountId: "acct_1",
      name: "k",
      mode: "test",
      last4: "abcd",
      createdAt: 0,
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      rolledFromId: null,
      ipAllowlist: null,
      ...overrides,
    },
    account: {
      id: "acct_1",
      email: "a@b.c",
      plan: "free",
      rpmLimit: null,
      tpmLimit: null,
      balanceMicros: 0,
      ipAllowlist: null,
      lowBalanceThresholdMicros: null,
      createdAt: 0,
      updatedAt: 0,
    },
  };
}

describe("KeyVerifier", () => {
  it("returns an outcome per failure and never looks up malformed keys", async () => {
    let lookups = 0;
    const verifier = new KeyVerifier(
      async () => {
        lookups++;
        return null;
      },
      new KeyCache({ maxEntries: 10, ttlMs: 1000, negativeTtlMs: 1000 }),
    );
    expect((await verifier.verify(undefined)).valid).toBe(false);
    expect(await verifier.verify("Basic abc")).toMatchObject({ valid: false, code: "invalid_auth_scheme" });
    expect(await verifier.verify("Bearer ")).toMatchObject({ valid: false, code: "missing_api_key" });
    expect(await verifier.verify("Bearer btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")).toMatchObject({ valid: false, code: "malformed_api_key" });
    expect(lookups).toBe(0);
    const { key } = generateApiKey("live");
    expect(await verifier.verify(`Bearer ${key}`)).toMatchObject({ valid: false, code: "invalid_api_key", last4: key.slice(-4) });
    expect(await verifier.verify(`Bearer ${key}`)).toMatchObject({ valid: false, code: "invalid_api_key" });
    expect(lookups).toBe(1); // the unknown hash is cached briefly
  });

  it("refuses a well-shaped key with a wrong checksum before any look-up, every time, naming its last 4", async () => {
    let lookups = 0;
    const verifier = new KeyVerifier(
      async () => {
        lookups++;
        return subjectFor();
      },
      new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 60_000 }),
    );
    const { key } = generateApiKey("live");
    const typo = `${key.slice(0, 20)}${key[20] === "a" ? "b" : "a"}${key.slice(21)}`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect(await verifier.verify(`Bearer ${typo}`)).toEqual({ valid: false, code: "malformed_api_key", last4: typo.slice(-4), subject: null });
    }
    expect(lookups).toBe(0);
    expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
    expect(lookups).toBe(1);
  });

  it("serves a valid key from the cache without a second look-up, and honours invalidation", async () => {
    const { key, hash } = generateApiKey("test");
    let current = subjectFor();
    let lookups = 0;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 });
    const verifier = new KeyVerifier(async () => {
      lookups++;
      return current;
    }, cache);
    expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
    expect((await verifier.verify(`bearer ${key}`)).valid).toBe(true);
    expect(lookups).toBe(1);
    current = subjectFor({ revokedAt: 5 });
    cache.deleteKeyId("key_1");
    expect(await verifier.verify(`Bearer ${key}`)).toMatchObject({ valid: false, code: "revoked_api_key" });
    expect(lookups).toBe(2);
    cache.delete(hash);
    current = subjectFor();
    cache.deleteAccount("acct_1");
    expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
  });

  it("a connection's memo skips reading the same header again, and never outlives the cache's verdict", async () => {
    const { key, hash } = generateApiKey("live");
    let current = subjectFor();
    let lookups = 0;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 });
    const verifier = new KeyVerifier(async () => {
      lookups++;
      return current;
    }, cache);
    const connection: ConnectionKeyMemo = {};
    expect((await verifier.verify(`Bearer ${key}`, connection)).valid).toBe(true);
    const remembered = connection.presented;
    expect(remembered).toMatchObject({ key, hash, last4: key.slice(-4) });
    expect((await verifier.verify(`Bearer ${key}`, connection)).valid).toBe(true);
    expect(connection.presented).toBe(remembered); // not read (parsed, hashed) again
    expect(lookups).toBe(1);

    // Revocation reaches the next request on the same connection.
    current = subjectFor({ revokedAt: 5 });
    cache.deleteKeyId("key_1");
    expect(await verifier.verify(`Bearer ${key}`, connection)).toMatchObject({ valid: false, code: "revoked_api_key", last4: key.slice(-4) });
    expect(lookups).toBe(2);

    // Another header on the same connection is read afresh: a bad one fails as such, a new key replaces the memo.
    expect(await verifier.verify("Bearer btoo_sk_live_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", connection)).toMatchObject({
      valid: false,
      code: "malformed_api_key",
    });
    expect(await verifier.verify(undefined, connection)).toMatchObject({ valid: false, code: "missing_api_key" });
    expect(await verifier.verify(`Basic ${key}`, connection)).toMatchObject({ valid: false, code: "invalid_auth_scheme" });
    expect((await verifier.verify(`Bearer ${key}`, connection)).valid).toBe(false); // still revoked
    const other = generateApiKey("live").key;
    const typo = `${other.slice(0, 20)}${other[20] === "a" ? "b" : "a"}${other.slice(21)}`;
    expect(await verifier.verify(`Bearer ${typo}`, connection)).toMatchObject({ valid: false, code: "malformed_api_key", last4: typo.slice(-4) });
    expect(await verifier.verify(`Bearer ${typo}`, connection)).toMatchObject({ valid: false, code: "malformed_api_key" });
    expect(connection.presented?.key).toBe(typo);
    expect(lookups).toBe(2); // the revoked key was answered from the cache, the typo by its checksum
  });

  it("takes the key from x-api-key when there is no Authorization header, with the same checks and the same cache", async () => {
    const { key } = generateApiKey("live");
    let lookups = 0;
    const verifier = new KeyVerifier(
      async () => {
        lookups++;
        return subjectFor();
      },
      new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 }),
    );
    expect((await verifier.verify(undefined, undefined, key)).valid).toBe(true);
    expect((await verifier.verify(undefined, undefined, ` ${key} `)).valid).toBe(true);
    expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
    expect(lookups).toBe(1);
    expect(await verifier.verify(undefined, undefined, "")).toMatchObject({ valid: false, code: "missing_api_key" });
    expect(await verifier.verify(undefined, undefined, `Bearer ${key}`)).toMatchObject({ valid: false, code: "malformed_api_key" });
    // Authorization, when present, is the one read: a wrong scheme there is not rescued by x-api-key.
    expect(await verifier.verify(`Basic ${key}`, undefined, key)).toMatchObject({ valid: false, code: "invalid_auth_scheme" });

    // A connection remembers which header the key came in: the same text in the other header is read afresh.
    const connection: ConnectionKeyMemo = {};
    expect((await verifier.verify(undefined, connection, key)).valid).toBe(true);
    expect(connection.presented).toMatchObject({ header: key, viaApiKeyHeader: true });
    expect(await verifier.verify(key, connection)).toMatchObject({ valid: false, code: "invalid_auth_scheme" });
  });

  it("an answer from the store that an invalidation overtook is not cached: the next request asks again", async () => {
    const { key, hash } = generateApiKey("test");
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 });
    let current = subjectFor();
    const answers: Array<() => void> = [];
    const verifier = new KeyVerifier(
      (_hash) =>
        new Promise((resolve) => {
          const read = current; // the row as the store read it, before the revoke committed
          answers.push(() => resolve(read));
        }),
      cache,
    );
    const first = verifier.verify(`Bearer ${key}`);
    current = subjectFor({ revokedAt: 5 });
    cache.delete(hash); // the revoke's invalidation arrives while the look-up is on its way back
    answers.shift()!();
    expect((await first).valid).toBe(true); // this request began before the revoke
    expect(cache.get(hash)).toBeUndefined();
    const second = verifier.verify(`Bearer ${key}`);
    answers.shift()!();
    expect(await second).toMatchObject({ valid: false, code: "revoked_api_key" });
    expect(verifier.storeLookups).toEqual({ miss: 2, bypass: 0 });
  });

  it("counts store look-ups by reason: a miss, or a bypass while the cache is not trusted; hits count nothing", async () => {
    const { key } = generateApiKey("test");
    let trusted = true;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 });
    const verifier = new KeyVerifier(
      async () => subjectFor(),
      cache,
      Date.now,
      () => trusted,
    );
    for (let index = 0; index < 3; index += 1) expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
    expect(verifier.storeLookups).toEqual({ miss: 1, bypass: 0 });
    trusted = false;
    for (let index = 0; index < 2; index += 1) expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
    expect(verifier.storeLookups).toEqual({ miss: 1, bypass: 2 });
  });

  it("requests for a key whose look-up is in flight share it, unless an invalidation came in meanwhile", async () => {
    const { key, hash } = generateApiKey("test");
    let current = subjectFor();
    const answers: Array<() => void> = [];
    const verifier = new KeyVerifier(
      (_hash) =>
        new Promise((resolve) => {
          const read = current;
          answers.push(() => resolve(read));
        }),
      new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 }),
      Date.now,
      () => false, // the cache is not trusted: every request would otherwise be a query
    );
    const together = Array.from({ length: 5 }, () => verifier.verify(`Bearer ${key}`));
    expect(answers).toHaveLength(1);
    current = subjectFor({ revokedAt: 5 });
    verifier.cache.delete(hash); // the revoke, as this instance hears of it
    const after = verifier.verify(`Bearer ${key}`);
    expect(answers).toHaveLength(2); // not shared: the look-up in flight may predate the revoke
    for (const answer of answers) answer();
    for (const outcome of await Promise.all(together)) expect(outcome.valid).toBe(true);
    expect(await after).toMatchObject({ valid: false, code: "revoked_api_key" });
    expect(verifier.storeLookups).toEqual({ miss: 0, bypass: 2 });
  });

  it("checks expiry at verification time, even for cached keys", async () => {
    const { key } = generateApiKey("test");
    let now = 1000;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000, negativeTtlMs: 1000 }, () => now);
    const verifier = new KeyVerifier(
      async () => subjectFor({ expiresAt: 2000 }),
      cache,
      () => now,
    );
    expect((await verifier.verify(`Bearer ${key}`)).valid).toBe(true);
    now = 2000;
    expect(await verifier.verify(`Bearer ${key}`)).toMatchObject({ valid: false, code: "expired_api_key" });
  });

  it("the cache stays bounded", () => {
    const cache = new KeyCache({ maxEntries: 3, ttlMs: 60_000, negativeTtlMs: 1000 });
    for (let index = 0; index < 10; index += 1) cache.set(`h${index}`, null);
    expect(cache.size).toBe(3);
    expect(cache.get("h9")).toBeNull();
    expect(cache.get("h0")).toBeUndefined();
  });
});
