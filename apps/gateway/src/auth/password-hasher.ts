import { BentooError } from "@bentoo/core";
import { hashPassword, verifyPassword } from "./password.js";

/**
 * `high`: checking a password (sign-in) and the operator's hashing; `low`:
 * sign-ups. A free slot goes to the oldest `high` waiter first.
 */
export type HashPriority = "high" | "low";

export interface HasherLimits {
  /** Hashes computed at once. */
  concurrency: number;
  /** Waiters allowed per priority; one more is refused with 503. */
  queue: number;
}

/**
 * scrypt runs on libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise), which file-system calls and DNS look-ups share. Unbounded, a
 * sign-up flood queues hundreds of hashes there and a sign-in waits behind all
 * of them. Here at most `concurrency` hashes run, and sign-ups may take all but
 * one of those slots (all of them when there is only one), so a sign-in starts
 * at once unless other sign-ins hold the slots. Each priority may queue `queue`
 * more; beyond that the request is refused with 503 and Retry-After rather than
 * queued without end. A free slot goes to the oldest sign-in waiting first.
 */
export class PasswordHasher {
  readonly #running: Record<HashPriority, number> = { high: 0, low: 0 };
  readonly #waiting: Record<HashPriority, Array<() => void>> = { high: [], low: [] };
  readonly #lowSlots: number;

  constructor(private readonly limits: HasherLimits) {
    this.#lowSlots = Math.max(1, limits.concurrency - 1);
  }

  hash(password: string, priority: HashPriority): Promise<string> {
    return this.#run(priority, () => hashPassword(password));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.#run("high", () => verifyPassword(password, stored));
  }

  /** Hashes running and waiting now (tests, metrics). */
  get stats(): { running: number; waitingHigh: number; waitingLow: number } {
    return { running: this.#running.high + this.#running.low, waitingHigh: this.#waiting.high.length, waitingLow: this.#waiting.low.length };
  }

  async #run<T>(priority: HashPriority, task: () => Promise<T>): Promise<T> {
    if (this.#waiting[priority].length === 0 && this.#canStart(priority)) this.#running[priority] += 1;
    else {
      const queue = this.#waiting[priority];
      if (queue.length >= this.limits.queue) {
        throw new BentooError("service_unavailable", "Too many passwords are being checked right now; retry in a few seconds.", {
          headers: { "retry-after": "2" },
        });
      }
      // #dispatch counts the slot as running before it lets this one go.
      await new Promise<void>((resolve) => queue.push(resolve));
    }
    try {
      return await task();
    } finally {
      this.#running[priority] -= 1;
      this.#dispatch();
    }
  }

  #canStart(priority: HashPriority): boolean {
    if (this.#running.high + this.#running.low >= this.limits.concurrency) return false;
    return priority === "high" || this.#running.low < this.#lowSlots;
  }

  #dispatch(): void {
    for (const priority of ["high", "low"] as const) {
      const queue = this.#waiting[priority];
      while (queue.length > 0 && this.#canStart(priority)) {
        this.#running[priority] += 1;
        queue.shift()!();
      }
    }
  }
}
