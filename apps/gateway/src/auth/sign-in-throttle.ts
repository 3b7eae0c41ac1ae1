/**
 * Throttles failed sign-ins per account and per source IP (fixed windows), so
 * passwords cannot be guessed quickly. Bounded memory; per instance (a
 * distributed attacker spread over many instances gets at most N× the budget).
 */
export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perAccount: 5, perIp: 30, windowMs: 15 * 60 * 1000 };

interface Window {
  failures: number;
  startedAt: number;
}

export class SignInThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  /** Milliseconds until another attempt is allowed, or 0 when it is allowed now. */
  retryAfterMs(email: string, ip: string): number {
    return Math.max(this.blockedFor(`a:${email}`, this.limits.perAccount), this.blockedFor(`i:${ip}`, this.limits.perIp));
  }

  recordFailure(email: string, ip: string): void {
    this.bump(`a:${email}`);
    this.bump(`i:${ip}`);
  }

  recordSuccess(email: string): void {
    this.windows.delete(`a:${email}`);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window !== undefined && this.now() - window.startedAt >= this.limits.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  private blockedFor(key: string, limit: number): number {
    const window = this.current(key);
    if (window === undefined || window.failures < limit) return 0;
    return window.startedAt + this.limits.windowMs - this.now();
  }

  private bump(key: string): void {
    const window = this.current(key);
    if (window !== undefined) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= this.maxEntries) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { failures: 1, startedAt: this.now() });
  }
}
