import type { Logger } from "pino";

/**
 * A warning that may recur many times a second (every management call while
 * Redis is away): logged at once the first time, then at most once per
 * interval, with the number of occurrences that were not logged in between.
 */
export class ThrottledWarning {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  warn(fields: Record<string, unknown>): void {
    const now = this.now();
    if (now - this.lastLoggedAt < this.intervalMs) {
      this.unlogged += 1;
      return;
    }
    this.logger.warn(this.unlogged === 0 ? fields : { ...fields, suppressed: this.unlogged }, this.message);
    this.lastLoggedAt = now;
    this.unlogged = 0;
  }
}
