import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, type StoredResponse } from "@bentoo/core";
import { openStorage } from "@bentoo/storage";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The stored Responses API responses, the same on SQLite and PostgreSQL. */
describe.each(storageTargets())("response store on $name", (target) => {
  let opened: OpenedStorage;
  let owner: string;
  let other: string;

  beforeAll(async () => {
    opened = await target.open();
    owner = (await opened.storage.accounts.create({ email: `owner-${Date.now()}@example.com`, passwordHash: null, plan: "free" }))!.id;
    other = (await opened.storage.accounts.create({ email: `other-${Date.now()}@example.com`, passwordHash: null, plan: "free" }))!.id;
  });
  afterAll(async () => {
    await opened?.dispose();
  });

  function stored(accountId: string, createdAt: number, previousResponseId: string | null = null): StoredResponse {
    const id = newId("response", createdAt);
    return {
      id,
      accountId,
      model: "openai/gpt-4o-mini",
      createdAt,
      previousResponseId,
      input: [{ role: "user", content: 'Héllo ✓ — "quoted"' }],
      response: { id, object: "response", output: [{ type: "message", content: [{ type: "output_text", text: "Hi" }] }], metadata: { topic: "greeting" } },
    };
  }

  it("saves a response and reads it back whole, for its account only", async () => {
    const first = stored(owner, 1_700_000_000_000);
    await opened.storage.responses.save(first);
    const second = stored(owner, 1_700_000_000_500, first.id);
    await opened.storage.responses.save(second);
    expect(await opened.storage.responses.get(owner, first.id)).toEqual(first);
    expect(await opened.storage.responses.get(owner, second.id)).toEqual(second);
    expect(await opened.storage.responses.get(other, first.id)).toBeNull();
    expect(await opened.storage.responses.get(owner, newId("response"))).toBeNull();
  });

  it("deletes a response only for its account", async () => {
    const response = stored(owner, 1_700_000_001_000);
    await opened.storage.responses.save(response);
    expect(await opened.storage.responses.delete(other, response.id)).toBe(false);
    expect(await opened.storage.responses.get(owner, response.id)).not.toBeNull();
    expect(await opened.storage.responses.delete(owner, response.id)).toBe(true);
    expect(await opened.storage.responses.get(owner, response.id)).toBeNull();
    expect(await opened.storage.responses.delete(owner, response.id)).toBe(false);
  });

  it("purges responses created before the cut-off, in batches, and keeps the rest", async () => {
    const base = 1_600_000_000_000;
    const old = Array.from({ length: 7 }, (_, index) => stored(index % 2 === 0 ? owner : other, base + index));
    const recent = stored(owner, base + 10_000);
    for (const response of [...old, recent]) await opened.storage.responses.save(response);
    const store = opened.storage.responses as typeof opened.storage.responses & { purgeOlderThan(cutoff: number, batchSize?: number): Promise<number> };
    expect(await store.purgeOlderThan(base + 10_000, 3)).toBe(7);
    for (const response of old) expect(await opened.storage.responses.get(response.accountId, response.id)).toBeNull();
    expect(await opened.storage.responses.get(owner, recent.id)).toEqual(recent);
    expect(await store.purgeOlderThan(base + 10_000, 3)).toBe(0);
  });
});

/** On a SQLite file, responses are written by the writer thread; without one (or once it is gone), on the main connection. */
describe.each([true, false])("response store on a SQLite file, writer thread %s", (writerThread) => {
  it("saves and reads back", async () => {
    const directory = mkdtempSync(join(tmpdir(), "bentoo-responses-"));
    const storage = await openStorage(`sqlite:${join(directory, "bentoo.db")}`, { writerThread });
    try {
      const account = (await storage.accounts.create({ email: "writer@example.com", passwordHash: null, plan: "free" }))!;
      const id = newId("response");
      const response: StoredResponse = { id, accountId: account.id, model: "m", createdAt: 1, previousResponseId: null, input: ["x"], response: { id } };
      await storage.responses.save(response);
      expect(await storage.responses.get(account.id, id)).toEqual(response);
      await expect(storage.responses.save(response)).rejects.toThrow();
    } finally {
      await storage.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
