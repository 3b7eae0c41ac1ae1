import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { AuditRecord, LedgerEntry } from "@bentoo/core";
import { JournalLock } from "./journal-lock.js";
import { auditLine, ledgerLine, listSegments, segmentName } from "./journal-segment.js";

export interface RecordJournalOptions {
  /** A label of this process, kept in the lock; the next process to open the directory after this one dies learns it (`previousOwners`). */
  owner: string;
  /** A segment is closed once it holds this many bytes (default 8 MiB), so that a replay reads the journal a segment at a time. */
  maxSegmentBytes?: number;
  /** Told about a failed append, open or removal (once, until a segment opens again). */
  onError?: (error: unknown) => void;
}

/** A segment this process writes or wrote: the entries appended before `auditEnd` / `ledgerEnd` (counted from the start) are in it or in an older one. */
interface Segment {
  path: string;
  fd: number | null;
  auditEnd: number;
  ledgerEnd: number;
  entries: number;
  bytes: number;
}

/** Worker processes of `--workers N` journal in subdirectories `worker-<n>` of the directory. */
const WORKER_DIRECTORY = /^worker-\d+$/;

/**
 * The local append-only journal of the RecordWriter: every audit record and
 * ledger row it accepts is appended here as a line, an audit record before
 * `audit()` returns, in one write call with the ledger rows handed over just
 * before it (a row no record follows is written at the end of the turn); no
 * fsync, so the lines are in the operating system's page cache, which a killed
 * process does not lose. Once the writer
 * has committed every entry of a segment to the database, the segment is
 * deleted. At start, before serving, the segments a dead process left
 * (`leftovers`) are replayed into the database (replay-journal.ts).
 *
 * The directory belongs to one process at a time (JournalLock). A process that
 * opens it also takes the journals its `worker-<n>` subdirectories hold (left
 * by the workers of a `--workers` run), refusing when one of them is live.
 *
 * Segments: appended entries go to the current segment; after each committed
 * batch (`committed`) the current one is closed, if it holds anything, and a
 * new one opened, and every closed segment whose entries are all committed is
 * deleted. A segment past `maxSegmentBytes` is closed at once.
 */
export class RecordJournal {
  readonly directory: string;
  /** Owner labels of the processes whose journals this one took over (this directory's, then its workers'). */
  readonly previousOwners: readonly string[];
  /** The segments dead processes left, oldest first, to replay before serving. */
  readonly leftovers: readonly string[];
  readonly #locks: JournalLock[];
  readonly #adopted: string[];
  readonly #maxSegmentBytes: number;
  readonly #onError: (error: unknown) => void;
  readonly #segments: Segment[] = [];
  #current: Segment | null = null;
  #nextSequence: number;
  #audit = 0;
  #ledger = 0;
  #closed = false;
  /** Ledger lines not written yet: they go with the next audit record, or at the end of the turn. */
  #waiting = "";
  readonly #writeWaiting = (): void => {
    if (this.#waiting === "") return;
    const waiting = this.#waiting;
    this.#waiting = "";
    this.#append(waiting);
  };
  /** A failure was reported and no segment opened since: further failures are not reported again. */
  #failing = false;

  private constructor(directory: string, locks: JournalLock[], adopted: string[], leftovers: string[], nextSequence: number, options: RecordJournalOptions) {
    this.directory = directory;
    this.#locks = locks;
    this.#adopted = adopted;
    this.previousOwners = locks.map((lock) => lock.previousOwner).filter((owner): owner is string => owner !== null);
    this.leftovers = leftovers;
    this.#nextSequence = nextSequence;
    this.#maxSegmentBytes = options.maxSegmentBytes ?? 8 * 1024 * 1024;
    this.#onError = options.onError ?? ((error) => process.stderr.write(`record journal: ${error instanceof Error ? error.message : String(error)}\n`));
  }

  /** Creates the directory if needed, locks it (and its workers' subdirectories) and lists what dead processes left. */
  static async open(directory: string, options: RecordJournalOptions): Promise<RecordJournal> {
    mkdirSync(directory, { recursive: true });
    const locks = [await JournalLock.acquire(directory, options.owner)];
    const adopted: string[] = [];
    const leftovers: string[] = [];
    try {
      for (const name of readdirSync(directory).sort()) {
        if (!WORKER_DIRECTORY.test(name)) continue;
        const worker = join(directory, name);
        locks.push(await JournalLock.acquire(worker, options.owner));
        adopted.push(worker);
        leftovers.push(...listSegments(worker).map((segment) => segment.path));
      }
    } catch (error) {
      for (const lock of locks) lock.release();
      throw error;
    }
    const own = listSegments(directory);
    leftovers.push(...own.map((segment) => segment.path));
    const journal = new RecordJournal(directory, locks, adopted, leftovers, (own.at(-1)?.sequence ?? 0) + 1, options);
    journal.#openSegment();
    return journal;
  }

  /**
   * Appends an audit record, with the ledger rows waiting for it, in one write
   * (never throws: a failed append is reported, and the record still goes to
   * the database).
   */
  audit(record: AuditRecord): void {
    this.#audit += 1;
    const line = auditLine(record);
    const waiting = this.#waiting;
    this.#waiting = "";
    this.#append(waiting === "" ? line : waiting + line);
  }

  /**
   * Appends a ledger row, in the write of the audit record that follows it in
   * this turn of the event loop, or at the turn's end (a microtask). The
   * gateway hands a request's charge over just before its record, both before
   * the answer's last byte, so a request costs one write and its charge is on
   * disk before its answer is complete.
   */
  ledger(entry: LedgerEntry): void {
    this.#ledger += 1;
    if (this.#waiting === "") queueMicrotask(this.#writeWaiting);
    this.#waiting += ledgerLine(entry);
  }

  /**
   * The writer committed its first `auditSettled` audit records and
   * `ledgerSettled` ledger rows (written, or audit records given up): closes
   * the current segment if it holds anything, and deletes every closed segment
   * whose entries are all settled.
   */
  committed(auditSettled: number, ledgerSettled: number): void {
    if (this.#closed) return;
    if (this.#current === null || this.#current.entries > 0) this.#rotate();
    while (this.#segments.length > 0) {
      const oldest = this.#segments[0]!;
      if (oldest === this.#current || oldest.auditEnd > auditSettled || oldest.ledgerEnd > ledgerSettled) break;
      this.#segments.shift();
      this.#remove(oldest.path);
    }
  }

  /** Segments still on disk (the current one included). */
  get segmentCount(): number {
    return this.#segments.length;
  }

  /** Deletes the leftovers (once replayed) and releases the workers' subdirectories taken over. */
  discardLeftovers(): void {
    for (const path of this.leftovers) this.#remove(path);
    for (const [index, worker] of this.#adopted.entries()) {
      this.#locks[index + 1]?.release();
      try {
        rmdirSync(worker);
      } catch {
        // Not empty (a file this version does not know): left for the operator.
      }
    }
  }

  /**
   * Closes the current segment and releases the lock. With `discard`, the
   * writer committed everything: the segments are deleted. Without, they stay
   * for the next process to replay.
   */
  close(discard: boolean): void {
    if (this.#closed) return;
    this.#writeWaiting();
    this.#closed = true;
    this.#closeCurrent();
    if (discard) for (const segment of this.#segments.splice(0)) this.#remove(segment.path);
    for (const lock of this.#locks) lock.release();
  }

  /** Writes `lines` (whole lines) to the current segment, which then holds every entry counted so far. */
  #append(lines: string): void {
    const current = this.#current;
    if (current === null) return;
    current.auditEnd = this.#audit;
    current.ledgerEnd = this.#ledger;
    current.entries += 1;
    if (current.fd === null) return;
    try {
      let written = writeSync(current.fd, lines);
      // A short write (a nearly full disk) leaves the rest to write, so that the next line starts on its own.
      // (A complete write of ASCII text returns its length; of other text, more.)
      if (written !== lines.length && written < Buffer.byteLength(lines)) {
        const bytes = Buffer.from(lines);
        while (written < bytes.length) written += writeSync(current.fd, bytes, written);
      }
      current.bytes += written;
    } catch (error) {
      this.#fail(current, error);
      return;
    }
    if (current.bytes >= this.#maxSegmentBytes) this.#rotate();
  }

  #rotate(): void {
    this.#writeWaiting();
    this.#closeCurrent();
    this.#openSegment();
  }

  #openSegment(): void {
    const path = join(this.directory, segmentName(this.#nextSequence));
    this.#nextSequence += 1;
    const segment: Segment = { path, fd: null, auditEnd: this.#audit, ledgerEnd: this.#ledger, entries: 0, bytes: 0 };
    try {
      segment.fd = openSync(path, "a");
    } catch (error) {
      // No current segment: appends are not journaled until the next commit opens one.
      this.#report(error);
      return;
    }
    this.#failing = false;
    this.#segments.push(segment);
    this.#current = segment;
  }

  #closeCurrent(): void {
    const current = this.#current;
    this.#current = null;
    if (current?.fd == null) return;
    try {
      closeSync(current.fd);
    } catch (error) {
      this.#report(error);
    }
    current.fd = null;
  }

  #remove(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if (existsSync(path)) this.#report(error);
    }
  }

  #fail(segment: Segment, error: unknown): void {
    if (segment.fd !== null) {
      try {
        closeSync(segment.fd);
      } catch {
        // Closing a failed descriptor may fail again; it is dropped either way.
      }
      segment.fd = null;
    }
    if (this.#current === segment) this.#current = null;
    this.#report(error);
  }

  #report(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    try {
      this.#onError(error);
    } catch {
      // A failing reporter must not break the request path.
    }
  }
}
