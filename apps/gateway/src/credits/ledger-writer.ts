import type { LedgerEntry, LedgerStore } from "@bentoo/core";
import type { Logger } from "pino";

/**
 * Writes ledger rows off the request path in batches (by size or every
 * `flushIntervalMs`). Unlike audit records, ledger rows are money: they are
 * never dropped. A failing batch stays at the head of the queue and is retried
 * with back-off; `close()` flushes everything before the process exits.
 */
export class LedgerWriter {
  private queue: LedgerEntry[] = [];
  private flushing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private failures = 0;
  /** Rows appended so far; the queue holds the last `appended - written` of them. */
  private appended = 0;
  /** How many of the rows appended must be written before the flush in flight ends. */
  private target = 0;
  written = 0;

  constructor(
    private readonly store: Pick<LedgerStore, "append">,
    private readonly logger: Logger,
    private readonly options: { batchSize: number; flushIntervalMs: number } = { batchSize: 1000, flushIntervalMs: 100 },
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues a row; never waits. (One row, not a rest parameter: this runs on every charged request.) */
  append(entry: LedgerEntry): void {
    this.queue.push(entry);
    this.appended += 1;
    if (this.queue.length >= this.options.batchSize) void this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Writes every row queued so far (one batch in flight at a time); joining a
   * flush in flight extends it to this call's rows. Rows appended after the
   * last call wait for the next one. Draining until the queue was empty never
   * ended under steady traffic, and wrote a small batch, a commit of its own,
   * every round trip to the database instead of one every `flushIntervalMs`.
   */
  flush(): Promise<void> {
    this.target = this.appended;
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.written < this.target && this.queue.length > 0) {
      const batch = this.queue.slice(0, Math.min(this.options.batchSize, this.target - this.written));
      try {
        await this.store.append(batch);
        this.queue.splice(0, batch.length);
        this.written += batch.length;
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        this.logger.error({ err: error, pending: this.queue.length }, "credit ledger write failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** this.failures, 5000)));
        if (this.failures >= 5) return; // let the timer try again later instead of spinning
      }
    }
  }

  async close(timeoutMs = 10_000): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) await this.flush();
    if (this.queue.length > 0) this.logger.error({ pending: this.queue.length }, "credit ledger rows could not be written before shutdown");
  }
}
