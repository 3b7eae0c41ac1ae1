import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** A live lock's file is touched this often. */
export const LOCK_HEARTBEAT_MS = 10_000;
/** A lock whose file was not touched for this long belongs to a process that is gone, wherever it ran. */
export const LOCK_STALE_MS = 3 * LOCK_HEARTBEAT_MS;

/** A journal directory another live gateway process writes to. */
export class JournalInUseError extends Error {
  constructor(
    readonly directory: string,
    holder: string,
  ) {
    super(
      `the record journal ${directory} is in use by ${holder}: give each gateway process its own BENTOO_JOURNAL_DIR (if no such process runs, delete ${join(directory, "lock")})`,
    );
    this.name = "JournalInUseError";
  }
}

interface LockContent {
  pid: number;
  host: string;
  owner: string;
}

function parseLock(text: string): LockContent | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const { pid, host, owner } = value as Record<string, unknown>;
    if (!Number.isSafeInteger(pid) || typeof host !== "string" || typeof owner !== "string") return null;
    return { pid: pid as number, host, owner };
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * The lock of one journal directory: the file `lock` holding the pid, host and
 * owner label of the process that writes there, touched every
 * LOCK_HEARTBEAT_MS. A lock left by a process that is gone is taken over, and
 * its owner label is what the successor learns (`previousOwner`): on the same
 * host when its pid is dead (or is this process's own: a container restarted
 * with the same pid), anywhere once its file is LOCK_STALE_MS old. A live
 * process's lock on this host refuses at once; one on another host (a shared
 * volume) is waited for until it goes stale, then refuses.
 */
export class JournalLock {
  readonly #path: string;
  readonly #heartbeat: NodeJS.Timeout;
  readonly previousOwner: string | null;
  #released = false;

  private constructor(path: string, previousOwner: string | null) {
    this.#path = path;
    this.previousOwner = previousOwner;
    this.#heartbeat = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(path, now, now);
      } catch {
        // Recreated at the next acquire; a missing lock only weakens the guard against a misconfiguration.
      }
    }, LOCK_HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  static async acquire(directory: string, owner: string): Promise<JournalLock> {
    const path = join(directory, "lock");
    const content = JSON.stringify({ pid: process.pid, host: hostname(), owner } satisfies LockContent);
    const deadline = Date.now() + LOCK_STALE_MS + LOCK_HEARTBEAT_MS;
    for (;;) {
      try {
        writeFileSync(path, content, { flag: "wx" });
        return new JournalLock(path, null);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let existing: LockContent | null = null;
      try {
        existing = parseLock(readFileSync(path, "utf8"));
      } catch {
        continue; // removed meanwhile: try again
      }
      const sameHost = existing !== null && existing.host === hostname();
      const gone = existing === null || ageMs(path) > LOCK_STALE_MS || (sameHost && (existing.pid === process.pid || !processAlive(existing.pid)));
      if (gone) {
        writeFileSync(path, content);
        return new JournalLock(path, existing?.owner ?? null);
      }
      const holder = `process ${existing!.pid} on ${existing!.host}`;
      if (sameHost || Date.now() > deadline) throw new JournalInUseError(directory, holder);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  /** Stops the heartbeat and removes the lock file. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#heartbeat);
    try {
      unlinkSync(this.#path);
    } catch {
      // Already gone.
    }
  }
}
