import type { AdmitInput, LimitSpec, RateDecision, RateLimiter } from "../rate-limiter.js";
import { MAX_UNITS, assertDelta, assertLimits, assertSubject, assertTokens } from "../token-bucket.js";
import { admitScript, adjustScript, type LuaScript } from "./scripts.js";

/**
 * What the limiter needs from a client: script evaluation. An ioredis `Redis`
 * (or `Cluster`) satisfies it. Create it with `enableOfflineQueue: false` and a
 * small `maxRetriesPerRequest` (e.g. 1) so that a dead Redis rejects calls at
 * once instead of queueing them until it comes back, and connect it at start-up
 * (`lazyConnect: true` + `await redis.connect()`): with the offline queue off,
 * calls made before the first connection reject too.
 */
export interface RedisScriptClient {
  evalsha(sha: string, numberOfKeys: number, ...keysAndArguments: Array<string | number>): Promise<unknown>;
  eval(source: string, numberOfKeys: number, ...keysAndArguments: Array<string | number>): Promise<unknown>;
}

export interface RedisRateLimiterOptions {
  /** Owned by the caller: the limiter never connects or closes it. */
  redis: RedisScriptClient;
  /** Prepended to every key (default "bentoo:"). */
  keyPrefix?: string;
  /**
   * Tests only. When given, its value is passed to the scripts as the clock;
   * otherwise the scripts read Redis TIME so every instance shares one clock.
   */
  now?: () => number;
}

/**
 * The limiter shared by every gateway instance. `admit` is one EVALSHA (one
 * round trip) that refills, checks and takes from both buckets atomically.
 * Keys: `<prefix>rl:{<subject>}:req` and `…:tok`; the `{subject}` hash tag
 * puts both in one Redis Cluster slot, as a multi-key script requires. Idle
 * subjects vanish by PEXPIRE once their buckets would be full.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: RedisScriptClient;
  readonly #keyPrefix: string;
  readonly #now: (() => number) | undefined;
  #closed = false;
  /** Token adjustments waiting for the end of this turn of the event loop, by sign and subject. */
  readonly #adjustments = new Map<string, PendingAdjustment>();

  constructor(options: RedisRateLimiterOptions) {
    this.#redis = options.redis;
    this.#keyPrefix = options.keyPrefix ?? "bentoo:";
    this.#now = options.now;
  }

  /** The keys of a subject's buckets (exposed for tests and operators). */
  keysFor(subject: string): { requests: string; tokens: string } {
    const base = `${this.#keyPrefix}rl:{${subject}}`;
    return { requests: `${base}:req`, tokens: `${base}:tok` };
  }

  async admit(input: AdmitInput): Promise<RateDecision> {
    this.#assertOpen();
    assertSubject(input.subject);
    assertLimits(input.limits);
    assertTokens(input.tokens);
    const keys = this.keysFor(input.subject);
    const reply = await this.#run(admitScript, [keys.requests, keys.tokens], [
      this.#pinnedNow(),
      input.limits.requestsPerMinute,
      input.limits.tokensPerMinute,
      input.tokens,
    ]);
    return parseAdmitReply(reply, input.limits);
  }

  /**
   * Adjustments made in the same turn of the event loop are summed per subject
   * and sign, and sent as one script call each when the turn ends: every request
   * gives back part of its reservation when it settles, and under load many
   * settle together. Refunds and charges stay apart, so that a refund capped at
   * the bucket's capacity is capped as it would have been alone. The promise
   * resolves once the summed call is done.
   */
  async adjustTokens(subject: string, limits: LimitSpec, delta: number): Promise<void> {
    this.#assertOpen();
    assertSubject(subject);
    assertLimits(limits);
    assertDelta(delta);
    if (delta === 0) return;
    const key = `${delta < 0 ? "-" : "+"}${subject}`;
    let pending = this.#adjustments.get(key);
    if (pending === undefined) {
      if (this.#adjustments.size === 0) setImmediate(() => this.#sendAdjustments());
      pending = new PendingAdjustment(subject, limits);
      this.#adjustments.set(key, pending);
    }
    // A sum past what one call may carry is cut: a refund that large empties any bucket's
    // debt anyway, and a charge that large leaves the bucket waiting for the maximum.
    pending.delta = Math.max(-MAX_UNITS, Math.min(MAX_UNITS, pending.delta + delta));
    pending.limits = limits;
    return pending.settled;
  }

  /** Marks the limiter closed after sending the adjustments still waiting; the Redis client belongs to the caller. */
  async close(): Promise<void> {
    await this.#sendAdjustments();
    this.#closed = true;
  }

  #sendAdjustments(): Promise<void> {
    const batch = [...this.#adjustments.values()];
    this.#adjustments.clear();
    return Promise.all(
      batch.map((pending) =>
        this.#run(adjustScript, [this.keysFor(pending.subject).tokens], [this.#pinnedNow(), pending.limits.tokensPerMinute, pending.delta]).then(pending.resolve, pending.reject),
      ),
    ).then(() => undefined);
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) after a NOSCRIPT (Redis restarted or SCRIPT FLUSH). */
  async #run(script: LuaScript, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.#redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await this.#redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  #pinnedNow(): string {
    return this.#now === undefined ? "" : String(Math.floor(this.#now()));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("RedisRateLimiter is closed");
  }
}

class PendingAdjustment {
  delta = 0;
  readonly settled: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor(
    readonly subject: string,
    public limits: LimitSpec,
  ) {
    this.settled = new Promise<void>((resolve, reject) => {
      this.resolve = () => resolve();
      this.reject = reject;
    });
  }
}

type AdmitReply = [number, number, number, number, number, number];

function isAdmitReply(reply: unknown): reply is AdmitReply {
  return Array.isArray(reply) && reply.length === 6 && reply.every((value) => Number.isSafeInteger(value));
}

/** Narrows the script's reply (see scripts.ts for its layout). */
function parseAdmitReply(reply: unknown, limits: LimitSpec): RateDecision {
  if (!isAdmitReply(reply)) throw new Error(`unexpected reply from the admit script: ${JSON.stringify(reply)}`);
  const [limitedBy, requestsRemaining, requestsResetMs, tokensRemaining, tokensResetMs, retryAfterMs] = reply;
  return {
    allowed: limitedBy === 0,
    limitedBy: limitedBy === 1 ? "requests" : limitedBy === 2 ? "tokens" : null,
    requests: { limit: limits.requestsPerMinute, remaining: requestsRemaining, resetMs: requestsResetMs },
    tokens: { limit: limits.tokensPerMinute, remaining: tokensRemaining, resetMs: tokensResetMs },
    retryAfterMs: retryAfterMs < 0 ? null : retryAfterMs,
  };
}
