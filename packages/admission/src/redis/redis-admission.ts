import type { AdmitInput, LimitSpec, RateDecision, RateLimiter } from "../rate-limiter.js";
import { MAX_UNITS, assertDelta, assertLimits, assertSubject, assertTokens } from "../token-bucket.js";
import { TurnBatcher } from "../turn-batcher.js";
import { ADMIT_REPLY_LENGTH, admitScript, adjustScript, type LuaScript } from "./scripts.js";

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
 * Longest wait of work that no request waits for (token refunds here, credit
 * settlements in the gateway's bank) before it is sent on its own; until then
 * it rides along with the next admissions. The limit and the balance are the
 * stricter meanwhile, never the looser.
 */
export const SETTLEMENT_DEFER_MS = 5;

/**
 * The limiter shared by every gateway instance. One EVALSHA (one round trip)
 * refills, checks and takes from both buckets atomically, for all of a
 * subject's admissions of one turn of the event loop (see TurnBatcher): under
 * load that is one call for many requests, with the same decisions as one call
 * each.
 * Keys: `<prefix>rl:{<subject>}:req` and `…:tok`; the `{subject}` hash tag
 * puts both in one Redis Cluster slot, as a multi-key script requires. Idle
 * subjects vanish by PEXPIRE once their buckets would be full.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: RedisScriptClient;
  readonly #keyPrefix: string;
  readonly #now: (() => number) | undefined;
  #closed = false;
  /** Admissions of this turn, by subject, limits and clock. */
  readonly #admissions = new TurnBatcher<PendingAdmission, RateDecision>((_key, batch) => this.#sendAdmissions(batch));
  /**
   * Token adjustments, by subject and sign; summed into one call each. Nobody
   * waits for them, so they ride along with the next admissions (or go out
   * within SETTLEMENT_DEFER_MS): no socket write of their own under load.
   */
  readonly #adjustments = new TurnBatcher<PendingAdjustment, void>((_key, batch) => this.#sendAdjustments(batch), { deferMs: SETTLEMENT_DEFER_MS });

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
    const now = this.#pinnedNow();
    const { requestsPerMinute, tokensPerMinute } = input.limits;
    return this.#admissions.add(`${input.subject}\u0000${requestsPerMinute}\u0000${tokensPerMinute}\u0000${now}`, { subject: input.subject, limits: input.limits, tokens: input.tokens, now });
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
    return this.#adjustments.add(`${delta < 0 ? "-" : "+"}${subject}`, { subject, limits, delta, now: this.#pinnedNow() });
  }

  /** Marks the limiter closed after sending the calls still waiting; the Redis client belongs to the caller. */
  async close(): Promise<void> {
    await Promise.all([this.#admissions.flush(), this.#adjustments.flush()]);
    this.#closed = true;
  }

  /** One script call for a batch of one subject's admissions with the same limits, decided in order. */
  async #sendAdmissions(batch: PendingAdmission[]): Promise<RateDecision[]> {
    const { subject, limits, now } = batch[0]!;
    const keys = this.keysFor(subject);
    const reply = await this.#run(admitScript, [keys.requests, keys.tokens], [now, limits.requestsPerMinute, limits.tokensPerMinute, ...batch.map((admission) => admission.tokens)]);
    return parseAdmitReplies(reply, batch.length, limits);
  }

  #sendAdjustments(batch: PendingAdjustment[]): Promise<void[]> {
    const { subject, now } = batch[0]!;
    // A sum past what one call may carry is cut: a refund that large empties any bucket's
    // debt anyway, and a charge that large leaves the bucket waiting for the maximum.
    let delta = 0;
    for (const adjustment of batch) delta = Math.max(-MAX_UNITS, Math.min(MAX_UNITS, delta + adjustment.delta));
    const limits = batch[batch.length - 1]!.limits;
    return this.#run(adjustScript, [this.keysFor(subject).tokens], [now, limits.tokensPerMinute, delta]).then(() => batch.map(() => undefined));
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

interface PendingAdmission {
  subject: string;
  limits: LimitSpec;
  tokens: number;
  /** The pinned clock ('' in production: the script reads Redis TIME). */
  now: string;
}

interface PendingAdjustment {
  subject: string;
  limits: LimitSpec;
  delta: number;
  now: string;
}

/** Narrows the script's reply (see scripts.ts for its layout): one decision per admission. */
function parseAdmitReplies(reply: unknown, count: number, limits: LimitSpec): RateDecision[] {
  if (!Array.isArray(reply) || reply.length !== count * ADMIT_REPLY_LENGTH || !reply.every((value) => Number.isSafeInteger(value))) {
    throw new Error(`unexpected reply from the admit script for ${count} admission(s): ${JSON.stringify(reply).slice(0, 200)}`);
  }
  const decisions: RateDecision[] = [];
  for (let offset = 0; offset < reply.length; offset += ADMIT_REPLY_LENGTH) decisions.push(decisionAt(reply as number[], offset, limits));
  return decisions;
}

/**
 * The decision written by BUCKET_LUA's push_decision at `offset` of a script's
 * reply (integers, checked by the caller). A first number other than 1 or 2
 * (the buckets refused) reads as allowed by the rate limits.
 */
export function decisionAt(reply: readonly number[], offset: number, limits: LimitSpec): RateDecision {
  const limitedBy = reply[offset];
  const retryAfterMs = reply[offset + 5]!;
  return {
    allowed: limitedBy !== 1 && limitedBy !== 2,
    limitedBy: limitedBy === 1 ? "requests" : limitedBy === 2 ? "tokens" : null,
    requests: { limit: limits.requestsPerMinute, remaining: reply[offset + 1]!, resetMs: reply[offset + 2]! },
    tokens: { limit: limits.tokensPerMinute, remaining: reply[offset + 3]!, resetMs: reply[offset + 4]! },
    retryAfterMs: retryAfterMs < 0 ? null : retryAfterMs,
  };
}
