import { type AttemptOutcome, type ClaimedDelivery, KEY_EXPIRING_WARNING_MS, retryDelayAfter, type WebhookStore } from "@bentoo/core";

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  send: (claim: ClaimedDelivery) => Promise<AttemptOutcome>;
  now: () => number;
  /** Attempts in flight at once in this process. */
  concurrency: number;
  pollIntervalMs: number;
  /** Longest an attempt may take; a claim's lease is twice this plus 30 s. */
  timeoutMs: number;
  retryDelaysMs: readonly number[];
  /** How often `key.expiring` is looked for, and (every 60th time) old deliveries purged. Default 60 s. */
  maintenanceIntervalMs?: number;
  /** Final deliveries and their events are kept this long. Default 30 days. */
  retentionMs?: number;
  /** Told about a failure of the database work (a claim, an outcome, the maintenance); attempts that fail are the delivery log's. */
  onError: (error: unknown, task: string) => void;
}

const DEFAULT_RETENTION_MS = 30 * 86_400_000;

/**
 * Delivers webhooks in the background, never on a request's path: every
 * `pollIntervalMs` it claims as many due deliveries as it has free slots
 * (`concurrency`), attempts each, and records the outcome — delivered, retried
 * after the next wait of the schedule, or failed once the schedule is spent.
 * Claims hold a lease (storage), so several dispatchers on one database (other
 * instances, `--workers`) never attempt one delivery at the same time, and a
 * delivery whose attempt died with its process is attempted again when the
 * lease ends: at least once, with the same `webhook-id`. Not started by
 * construction: `start()` (the composition root, or a test) does that.
 */
export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #leaseMs: number;
  readonly #attempts = new Set<Promise<void>>();
  #timers: NodeJS.Timeout[] = [];
  #polling = false;
  #maintenanceRuns = 0;
  #closed = false;
  /** The last claim filled every free slot: more may be due, so a finished attempt looks again at once. */
  #backlog = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#leaseMs = options.timeoutMs * 2 + 30_000;
  }

  get inFlight(): number {
    return this.#attempts.size;
  }

  start(): void {
    if (this.#timers.length > 0 || this.#closed) return;
    const poll = setInterval(() => void this.poll(), this.#options.pollIntervalMs);
    const maintenance = setInterval(() => void this.maintain(), this.#options.maintenanceIntervalMs ?? 60_000);
    for (const timer of [poll, maintenance]) timer.unref();
    this.#timers = [poll, maintenance];
    void this.maintain();
  }

  /** Claims what is due and starts its attempts; resolves once they are started (not finished) with how many. */
  async poll(): Promise<number> {
    if (this.#polling || this.#closed) return 0;
    this.#polling = true;
    try {
      const free = this.#options.concurrency - this.#attempts.size;
      if (free <= 0) return 0;
      const claims = await this.#options.store.claimDue(this.#options.now(), this.#leaseMs, free);
      this.#backlog = claims.length === free;
      for (const claim of claims) this.#track(this.#attempt(claim));
      return claims.length;
    } catch (error) {
      this.#options.onError(error, "claiming due webhook deliveries");
      return 0;
    } finally {
      this.#polling = false;
    }
  }

  /** Raises `key.expiring` where due, and now and then purges old deliveries. */
  async maintain(): Promise<void> {
    const now = this.#options.now();
    try {
      await this.#options.store.raiseExpiringKeys(now, KEY_EXPIRING_WARNING_MS);
      if (this.#maintenanceRuns % 60 === 0) await this.#options.store.purgeBefore(now - (this.#options.retentionMs ?? DEFAULT_RETENTION_MS));
    } catch (error) {
      this.#options.onError(error, "webhook maintenance");
    }
    this.#maintenanceRuns += 1;
  }

  /** Resolves when every attempt started so far has finished and recorded its outcome. */
  async idle(): Promise<void> {
    while (this.#attempts.size > 0) await Promise.all([...this.#attempts]);
  }

  /** Stops claiming; waits up to `timeoutMs` for the attempts in flight (one cut short is attempted again after its lease). */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (deadline = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(deadline);
  }

  #track(attempt: Promise<void>): void {
    this.#attempts.add(attempt);
    void attempt.finally(() => {
      this.#attempts.delete(attempt);
      if (this.#backlog && this.#timers.length > 0) void this.poll();
    });
  }

  async #attempt(claim: ClaimedDelivery): Promise<void> {
    const outcome = await this.#options.send(claim);
    const at = this.#options.now();
    const delay = outcome.delivered ? null : retryDelayAfter(claim.attempt, this.#options.retryDelaysMs);
    try {
      await this.#options.store.recordAttempt(claim, { outcome, retryAt: delay === null ? null : at + delay }, at);
    } catch (error) {
      // The lease runs out and the delivery is attempted again: at least once.
      this.#options.onError(error, "recording a webhook attempt");
    }
  }
}
