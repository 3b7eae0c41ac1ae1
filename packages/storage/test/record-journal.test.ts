import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { newId, type RecordBatch, type RecordStore, type RecordWriteResult } from "@bentoo/core";
import { JournalInUseError, RecordJournal, RecordWriter, replayJournal } from "@bentoo/storage";
import { type OpenedStorage, storageTargets } from "@bentoo/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditRecord, charge } from "./record-fixtures.js";

/** A store whose writes can be held, as a slow database holds them. */
class GatedStore implements Pick<RecordStore, "write"> {
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  constructor(private readonly store: Pick<RecordStore, "write">) {}
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }
  release(): void {
    this.#open?.();
    this.#gate = null;
  }
  async write(batch: RecordBatch): Promise<RecordWriteResult> {
    if (this.#gate !== null) await this.#gate;
    return this.store.write(batch);
  }
}

const segmentsIn = (directory: string) => readdirSync(directory).filter((name) => name.startsWith("segment-"));

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
}

describe.each(storageTargets())("record journal on $name", (target) => {
  let opened: OpenedStorage;
  const root = mkdtempSync(join(tmpdir(), "bentoo-journal-"));
  const journals: RecordJournal[] = [];
  let counter = 0;
  beforeAll(async () => {
    opened = await target.open();
  });
  afterEach(() => {
    for (const journal of journals.splice(0)) journal.close(false);
  });
  afterAll(async () => {
    await opened?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  const account = async () => (await opened.storage.accounts.create({ email: `${newId("account")}@example.com`, passwordHash: null, plan: "free" })).id;
  const balance = async (accountId: string) => (await opened.storage.accounts.get(accountId))?.balanceMicros;
  const auditCount = async (accountId: string) => {
    let count = 0;
    for await (const _ of opened.storage.audit.iterate({ accountId })) count += 1;
    return count;
  };
  const freshDirectory = () => {
    counter += 1;
    return join(root, `journal-${counter}`);
  };
  async function openJournal(directory: string, owner = "test-owner", maxSegmentBytes?: number): Promise<RecordJournal> {
    const journal = await RecordJournal.open(directory, { owner, maxSegmentBytes, onError: () => undefined });
    journals.push(journal);
    return journal;
  }
  /** What a kill -9 leaves: the writer and its journal abandoned, the files as they are. */
  function abandon(journal: RecordJournal): void {
    journals.splice(journals.indexOf(journal), 1);
  }

  it("has every record on disk when audit() returns, with the charges handed over before it; a replay writes each once", async () => {
    const accountId = await account();
    const directory = freshDirectory();
    const journal = await openJournal(directory, "first-process");
    const store = new GatedStore(opened.storage.records);
    store.hold(); // the database never commits before the "crash"
    const writer = new RecordWriter({ store, journal, flushIntervalMs: 60_000, onError: () => undefined });
    const records = Array.from({ length: 3 }, () => auditRecord(accountId));
    const lines = () =>
      readFileSync(join(directory, segmentsIn(directory)[0]!), "utf8")
        .split("\n")
        .filter(Boolean);
    // A request's charge, then its record, as the gateway hands them over: one write.
    writer.ledger(charge(accountId, 40));
    expect(lines()).toEqual([]);
    writer.audit(records[0]!);
    expect(lines().map((line) => line[0])).toEqual(["l", "a"]);
    writer.audit(records[1]!);
    writer.audit(records[2]!);
    // A charge no record follows is written at the end of the turn.
    writer.ledger(charge(accountId, 2));
    expect(lines()).toHaveLength(4);
    await Promise.resolve();
    expect(lines().map((line) => line[0])).toEqual(["l", "a", "a", "a", "l"]);
    expect(JSON.parse(lines()[1]!.slice(1))).toEqual(records[0]);
    const [segment] = segmentsIn(directory);
    abandon(journal);

    // The next process on the same directory (this pid: a restarted container's process may have it too).
    const next = await openJournal(directory, "second-process");
    expect(next.previousOwners).toEqual(["first-process"]);
    expect(next.leftovers).toEqual([join(directory, segment!)]);
    const replayed: Array<{ written: boolean }> = [];
    const first = await replayJournal(next.leftovers, opened.storage.records, { onLedger: async (rows) => void replayed.push(...rows) });
    expect(first).toEqual({ audit: 3, ledger: 2, ledgerWritten: 2, unreadable: 0 });
    expect(replayed.map((row) => row.written)).toEqual([true, true]);
    expect(await auditCount(accountId)).toBe(3);
    expect(await balance(accountId)).toBe(-42);
    // Replayed again (a start that failed after the replay): nothing twice.
    const second = await replayJournal(next.leftovers, opened.storage.records);
    expect(second).toEqual({ audit: 3, ledger: 2, ledgerWritten: 0, unreadable: 0 });
    expect(await auditCount(accountId)).toBe(3);
    expect(await balance(accountId)).toBe(-42);
    next.discardLeftovers();
    expect(segmentsIn(directory)).toHaveLength(1); // the new process's own, empty segment
    store.release();
  });

  it("deletes a segment only once every entry in it is committed", async () => {
    const accountId = await account();
    const directory = freshDirectory();
    const journal = await openJournal(directory);
    const store = new GatedStore(opened.storage.records);
    const writer = new RecordWriter({ store, journal, flushIntervalMs: 60_000, onError: () => undefined });
    store.hold();
    writer.audit(auditRecord(accountId));
    const flushed = writer.flush(); // batch 1: that record, held
    const late = auditRecord(accountId);
    writer.audit(late); // appended while batch 1 is written: not in it
    writer.ledger(charge(accountId, 5));
    store.release();
    await flushed;
    // Batch 1 committed; its segment also holds the two later entries, so it stays.
    const afterFirst = segmentsIn(directory);
    expect(afterFirst).toHaveLength(2);
    const kept = readFileSync(join(directory, afterFirst[0]!), "utf8");
    expect(kept).toContain(late.id);

    // A crash now: the replay has the uncommitted entries (and the committed one, written once).
    const replay = await replayJournal(
      afterFirst.map((name) => join(directory, name)),
      opened.storage.records,
    );
    expect(replay).toMatchObject({ audit: 2, ledger: 1, ledgerWritten: 1 });
    expect(await auditCount(accountId)).toBe(2);

    await writer.flush(); // batch 2: the rest
    expect(segmentsIn(directory)).toEqual([afterFirst[1]]);
    expect(await balance(accountId)).toBe(-5);
    await writer.close();
    expect(existsSync(directory) && segmentsIn(directory)).toEqual([]);
    expect(existsSync(join(directory, "lock"))).toBe(false);
  });

  it("closes a segment that outgrew its size at once, and keeps what close() could not commit", async () => {
    const accountId = await account();
    const directory = freshDirectory();
    const journal = await openJournal(directory, "owner", 1_000);
    const store = new GatedStore(opened.storage.records);
    store.hold();
    const writer = new RecordWriter({ store, journal, flushIntervalMs: 60_000, onError: () => undefined });
    for (let index = 0; index < 10; index += 1) writer.audit(auditRecord(accountId));
    expect(segmentsIn(directory).length).toBeGreaterThanOrEqual(5); // a line is over 500 bytes: two per segment
    await writer.close(50); // the database does not answer in time
    const left = segmentsIn(directory).map((name) => join(directory, name));
    expect((await replayJournal(left, opened.storage.records)).audit).toBe(10);
    store.release();
  });

  it("ignores a torn last line, counting it", async () => {
    const accountId = await account();
    const directory = freshDirectory();
    mkdirSync(directory, { recursive: true });
    const whole = auditRecord(accountId);
    const row = charge(accountId, 7);
    const torn = `a${JSON.stringify(auditRecord(accountId))}`.slice(0, 90);
    writeFileSync(join(directory, "segment-000000000001.jsonl"), `a${JSON.stringify(whole)}\nl${JSON.stringify(row)}\n${torn}`);
    const journal = await openJournal(directory);
    expect(await replayJournal(journal.leftovers, opened.storage.records)).toEqual({ audit: 1, ledger: 1, ledgerWritten: 1, unreadable: 1 });
    expect(await auditCount(accountId)).toBe(1);
    expect(await balance(accountId)).toBe(-7);
    // The next process's segments continue the numbering.
    expect(segmentsIn(directory)).toEqual(["segment-000000000001.jsonl", "segment-000000000002.jsonl"]);
  });

  it("refuses a directory a live process on this host holds; takes over one a dead process left", async () => {
    const busy = freshDirectory();
    mkdirSync(busy, { recursive: true });
    writeFileSync(join(busy, "lock"), JSON.stringify({ pid: process.ppid, host: hostname(), owner: "live" }));
    await expect(RecordJournal.open(busy, { owner: "me" })).rejects.toThrow(JournalInUseError);
    await expect(RecordJournal.open(busy, { owner: "me" })).rejects.toThrow(/give each gateway process its own BENTOO_JOURNAL_DIR/);

    const left = freshDirectory();
    mkdirSync(left, { recursive: true });
    writeFileSync(join(left, "lock"), JSON.stringify({ pid: deadPid(), host: hostname(), owner: "gone" }));
    const journal = await openJournal(left);
    expect(journal.previousOwners).toEqual(["gone"]);
    expect(JSON.parse(readFileSync(join(left, "lock"), "utf8"))).toMatchObject({ pid: process.pid, owner: "test-owner" });
  });

  it("takes over the journals of a --workers run's workers, and refuses while one of them lives", async () => {
    const accountId = await account();
    const directory = freshDirectory();
    const worker = join(directory, "worker-2");
    mkdirSync(worker, { recursive: true });
    writeFileSync(join(worker, "lock"), JSON.stringify({ pid: process.ppid, host: hostname(), owner: "worker-live" }));
    await expect(RecordJournal.open(directory, { owner: "primary" })).rejects.toThrow(JournalInUseError);
    expect(existsSync(join(directory, "lock"))).toBe(false); // released again

    writeFileSync(join(worker, "lock"), JSON.stringify({ pid: deadPid(), host: hostname(), owner: "worker-dead" }));
    appendFileSync(join(worker, "segment-000000000007.jsonl"), `a${JSON.stringify(auditRecord(accountId))}\n`);
    const journal = await openJournal(directory, "primary");
    expect(journal.previousOwners).toEqual(["worker-dead"]);
    expect(journal.leftovers).toEqual([join(worker, "segment-000000000007.jsonl")]);
    expect((await replayJournal(journal.leftovers, opened.storage.records)).audit).toBe(1);
    journal.discardLeftovers();
    expect(existsSync(worker)).toBe(false);
  });

  it("a journal that cannot be written is reported once; records still reach the database", async () => {
    const accountId = await account();
    const directory = freshDirectory();
    const errors: unknown[] = [];
    const journal = await RecordJournal.open(directory, { owner: "o", maxSegmentBytes: 1, onError: (error) => errors.push(error) });
    journals.push(journal);
    const writer = new RecordWriter({ store: opened.storage.records, journal, flushIntervalMs: 60_000, onError: () => undefined });
    rmSync(directory, { recursive: true, force: true }); // the next segment cannot be created
    for (let index = 0; index < 5; index += 1) writer.audit(auditRecord(accountId));
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(await auditCount(accountId)).toBe(5);
  });

  it("lists the ledger rows not yet written, for admission to register in a reloaded balance", async () => {
    const accountId = await account();
    const store = new GatedStore(opened.storage.records);
    store.hold();
    const writer = new RecordWriter({ store, flushIntervalMs: 60_000, onError: () => undefined });
    const first = charge(accountId, 1);
    writer.ledger(first);
    const flushed = writer.flush();
    const second = charge(accountId, 2);
    writer.ledger(second);
    expect(writer.pendingLedger()).toEqual([first, second]);
    store.release();
    await flushed;
    await writer.flush();
    expect(writer.pendingLedger()).toEqual([]);
  });
});
