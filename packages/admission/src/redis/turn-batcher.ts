interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

const ignore = (): void => undefined;

/** Batchers with calls waiting, flushed together (see `scheduleFlush`). */
const due = new Set<{ flush(): Promise<void> }>();
let flushScheduled = false;
let deferredFlush: NodeJS.Timeout | null = null;

function flushDue(): void {
  flushScheduled = false;
  if (deferredFlush !== null) {
    clearTimeout(deferredFlush);
    deferredFlush = null;
  }
  const batchers = [...due];
  due.clear();
  for (const waiting of batchers) void waiting.flush();
}

/**
 * Every batcher with work flushes in the same callback, so the commands they
 * send in one turn leave together: ioredis' auto-pipelining writes what is sent
 * in one tick as one socket write, and on loopback a write costs more than the
 * commands in it. A deferring batcher's calls wait for the next flush that a
 * call of another batcher starts, or `deferMs` at most.
 */
function scheduleFlush(batcher: { flush(): Promise<void> }, deferMs: number): void {
  due.add(batcher);
  if (flushScheduled) return;
  if (deferMs === 0) {
    flushScheduled = true;
    setImmediate(flushDue);
  } else {
    deferredFlush ??= setTimeout(flushDue, deferMs);
  }
}

export interface TurnBatcherOptions {
  /** Most items per `send` (default 256). */
  maxBatch?: number;
  /**
   * 0 (the default): flush at the end of the turn. Above 0, for work nobody
   * waits on (settlements): flush with the next turn that flushes another
   * batcher, or after this many milliseconds, whichever comes first. Under
   * load that rides along with the next admissions' write.
   */
  deferMs?: number;
}

/**
 * Coalesces the calls made during one turn of the event loop: `add()` puts an
 * item in the group of its key, and once the turn ends (setImmediate, after the
 * I/O callbacks of the turn ran) each group goes to `send` as one list, in
 * arrival order, in chunks of at most `maxBatch`. `send` answers with one result
 * per item; each `add()` promise settles with its own result, or with the
 * chunk's error.
 *
 * Under load, the requests that arrive together admit and settle together, so
 * one Redis script call serves all of an account's requests of that turn
 * instead of one call each; a lone request waits only for the end of its turn.
 */
export class TurnBatcher<I, O> {
  readonly #send: (key: string, items: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  readonly #deferMs: number;
  readonly #groups = new Map<string, Array<Waiting<I, O>>>();

  constructor(send: (key: string, items: I[]) => Promise<O[]>, options: TurnBatcherOptions = {}) {
    const { maxBatch = 256, deferMs = 0 } = options;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${String(maxBatch)}`);
    if (!Number.isFinite(deferMs) || deferMs < 0) throw new RangeError(`deferMs must be a non-negative number, got ${String(deferMs)}`);
    this.#send = send;
    this.#maxBatch = maxBatch;
    this.#deferMs = deferMs;
  }

  /** Items waiting for the end of this turn. */
  get pending(): number {
    let count = 0;
    for (const group of this.#groups.values()) count += group.length;
    return count;
  }

  add(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => this.#enqueue(key, { item, resolve, reject }));
  }

  /**
   * `add` for an item nobody waits for: no promise is made. A failed chunk is
   * then the `send` function's to report, since no caller will hear of it.
   */
  push(key: string, item: I): void {
    this.#enqueue(key, { item, resolve: ignore, reject: ignore });
  }

  #enqueue(key: string, waiting: Waiting<I, O>): void {
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = [];
      this.#groups.set(key, group);
    }
    group.push(waiting);
    scheduleFlush(this, this.#deferMs);
  }

  /** Sends every group now; resolves once each chunk has been answered (never rejects). */
  flush(): Promise<void> {
    due.delete(this);
    if (this.#groups.size === 0) return Promise.resolve();
    const sends: Array<Promise<void>> = [];
    for (const [key, group] of this.#groups) {
      for (let start = 0; start < group.length; start += this.#maxBatch) sends.push(this.#sendChunk(key, group.slice(start, start + this.#maxBatch)));
    }
    this.#groups.clear();
    return Promise.all(sends).then(() => undefined);
  }

  async #sendChunk(key: string, chunk: Array<Waiting<I, O>>): Promise<void> {
    let results: O[];
    try {
      results = await this.#send(
        key,
        chunk.map((waiting) => waiting.item),
      );
      if (results.length !== chunk.length) throw new Error(`a batch of ${chunk.length} got ${results.length} results`);
    } catch (error) {
      for (const waiting of chunk) waiting.reject(error);
      return;
    }
    for (let index = 0; index < chunk.length; index += 1) chunk[index]!.resolve(results[index]!);
  }
}
