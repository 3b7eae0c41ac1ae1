import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { type AttemptCheck, type AttemptDecision, type AttemptLimiter, assertChecks } from "../attempt-limiter.js";
import { ATTEMPT, REFUND } from "./attempt-scripts.js";

export interface RedisAttemptLimiterOptions {
  /** Owned by the caller, set up as RedisAdmission's README asks (no offline queue, so a dead Redis rejects at once). */
  redis: Redis;
  /** Prepended to every key (default "bentoo:"). */
  keyPrefix?: string;
  /** Tests only: a clock passed to the scripts. Otherwise they read Redis TIME, so every instance shares one clock. */
  now?: () => number;
}

type Script = (...arguments_: Array<string | number>) => Promise<unknown>;

/**
 * Attempt limits shared by every gateway instance. A subject's key is
 * `<prefix>attempt:{a}:<SHA-256 of the subject>`: the hash keeps email and
 * client addresses out of Redis, and the one `{a}` hash tag puts every subject
 * in one Redis Cluster slot, as a script over several of them requires. One
 * script call decides and counts all checks of an attempt atomically.
 */
export class RedisAttemptLimiter implements AttemptLimiter {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #now: (() => number) | undefined;
  readonly #attempt: Script;
  readonly #refund: Script;

  constructor(options: RedisAttemptLimiterOptions) {
    this.#redis = options.redis;
    this.#keyPrefix = options.keyPrefix ?? "bentoo:";
    this.#now = options.now;
    // No fixed key count: each call passes its own first.
    options.redis.defineCommand("bentooAttempt", { lua: ATTEMPT });
    options.redis.defineCommand("bentooAttemptRefund", { lua: REFUND });
    const commands = options.redis as unknown as Record<string, Script>;
    this.#attempt = commands.bentooAttempt!.bind(options.redis);
    this.#refund = commands.bentooAttemptRefund!.bind(options.redis);
  }

  /** The Redis key of a subject (tests and operators). */
  keyOf(subject: string): string {
    return `${this.#keyPrefix}attempt:{a}:${createHash("sha256").update(subject).digest("base64url")}`;
  }

  async attempt(checks: readonly AttemptCheck[]): Promise<AttemptDecision> {
    assertChecks(checks);
    const reply = await this.#attempt(...this.#arguments(checks));
    if (!Array.isArray(reply) || reply.length !== 3) throw new Error(`unexpected attempt script reply: ${JSON.stringify(reply)}`);
    const [allowed, retryAfterMs, refusedBy] = reply.map(Number) as [number, number, number];
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs, refusedBy };
  }

  async refund(checks: readonly AttemptCheck[]): Promise<void> {
    assertChecks(checks);
    await this.#refund(...this.#arguments(checks));
  }

  async reset(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.#redis.del(...keys.map((key) => this.keyOf(key)));
  }

  #arguments(checks: readonly AttemptCheck[]): Array<string | number> {
    const keys = checks.map((check) => this.keyOf(check.key));
    const rules = checks.flatMap(({ rule }) =>
      rule.kind === "bucket" ? ["bucket", rule.burst, rule.intervalMs, ""] : ["backoff", rule.forgetMs, 0, rule.waitsMs.join(",")],
    );
    return [checks.length, ...keys, this.#now === undefined ? "" : String(Math.floor(this.#now())), ...rules];
  }
}
