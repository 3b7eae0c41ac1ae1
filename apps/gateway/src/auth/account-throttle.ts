import type { AttemptCheck, AttemptLimiter, BackoffRule, BucketRule } from "@bentoo/admission";
import { BentooError, parseClientAddress } from "@bentoo/core";
import type { Logger } from "pino";
import type { AccountLimits } from "../config.js";
import { MANAGEMENT_REDIS_TIMEOUT_MS } from "../infra/redis.js";
import { withTimeout } from "../infra/with-timeout.js";

/**
 * Sign-ups and sign-ins under abuse (docs/security.md):
 * - sign-ups: a bucket per client address;
 * - wrong passwords: a backoff per (email, client address) — a few free
 *   attempts, then waits that double, then a lockout of that pair only, so
 *   nobody can lock an account out from every address;
 * - two ceilings far above a legitimate user's mistakes: failed sign-ins per
 *   address across emails (guessing many accounts from one address), and per
 *   email across addresses (guessing one account from many).
 * Every attempt is counted before its password is checked, so concurrent
 * guesses cannot all pass before the first one fails; a right password resets
 * its pair and gives its attempt back to the ceilings.
 */

/** Wrong passwords for one email from one address that never wait. */
const FREE_SIGN_IN_ATTEMPTS = 3;
/** Failed sign-ins per address, any email: 30 at once, then 30 per 15 minutes. */
const ADDRESS_SIGN_INS: BucketRule = { kind: "bucket", burst: 30, intervalMs: 30_000 };
/** Failed sign-ins per email, any address: 100 at once, then 100 per hour — ten pairs' lockouts (see docs/security.md for why it exists). */
const EMAIL_SIGN_INS: BucketRule = { kind: "bucket", burst: 100, intervalMs: 36_000 };

/** The waits of the (email, address) backoff: none for the free attempts, then 1 s doubling, then the lockout. */
export function signInBackoff(limits: AccountLimits): BackoffRule {
  const waitsMs: number[] = [];
  for (let count = 1; count < limits.signInLockoutAttempts; count += 1) {
    waitsMs.push(count < FREE_SIGN_IN_ATTEMPTS ? 0 : Math.min(1000 * 2 ** (count - FREE_SIGN_IN_ATTEMPTS), limits.signInLockoutMs));
  }
  waitsMs.push(limits.signInLockoutMs);
  return { kind: "backoff", waitsMs, forgetMs: limits.signInLockoutMs };
}

/**
 * The subject a client address is counted as: an IPv4 address itself, an IPv6
 * address by its /64 (what one subscriber is usually given, so rotating
 * addresses inside it buys nothing).
 */
export function addressSubject(ip: string): string {
  const words = parseClientAddress(ip);
  if (words === null) return ip;
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return `v4:${words[3]!.toString(16)}`;
  return `v6:${words[0]!.toString(16)}:${words[1]!.toString(16)}`;
}

/** A sign-in admitted by the throttle: what to give back or reset once its outcome is known. */
export interface SignInTicket {
  readonly checks: readonly AttemptCheck[];
  readonly pairKey: string;
}

function retryAfter(retryAfterMs: number): { seconds: number; headers: Record<string, string> } {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return { seconds, headers: { "retry-after": String(seconds) } };
}

/** Why a sign-in was refused, by the index of the check that refused it (in `signIn`'s order). */
const SIGN_IN_REFUSALS = [
  "Too many wrong passwords for this email from your address",
  "Too many failed sign-ins from your address",
  "Too many failed sign-ins for this email",
] as const;

export class AccountThrottle {
  readonly #signUps: BucketRule;
  readonly #pair: BackoffRule;

  constructor(
    private readonly limiter: AttemptLimiter,
    limits: AccountLimits,
    /** When the limiter (Redis) cannot be reached: true = let the attempt through (and log), false = 503. */
    private readonly failOpen: boolean,
    private readonly logger: Logger,
  ) {
    this.#signUps = { kind: "bucket", burst: limits.signUpsPerAddress, intervalMs: Math.floor(limits.signUpWindowMs / limits.signUpsPerAddress) };
    this.#pair = signInBackoff(limits);
  }

  /** Counts a sign-up from this address, or throws 429 with Retry-After. The returned checks give it back if it does not happen. */
  async signUp(ip: string): Promise<readonly AttemptCheck[]> {
    const checks = [{ key: `signup:${addressSubject(ip)}`, rule: this.#signUps }];
    const decision = await this.#attempt(checks);
    if (!decision.allowed) {
      const { seconds, headers } = retryAfter(decision.retryAfterMs);
      throw new BentooError("rate_limit_exceeded", `Too many sign-ups from your address; try again in ${seconds} seconds.`, { headers });
    }
    return checks;
  }

  /** Counts a sign-in attempt for this email from this address, or throws 429 with Retry-After. */
  async signIn(email: string, ip: string): Promise<SignInTicket> {
    const address = addressSubject(ip);
    const pairKey = `signin:${email}|${address}`;
    const checks = [
      { key: pairKey, rule: this.#pair },
      { key: `signin-address:${address}`, rule: ADDRESS_SIGN_INS },
      { key: `signin-email:${email}`, rule: EMAIL_SIGN_INS },
    ];
    const decision = await this.#attempt(checks);
    if (!decision.allowed) {
      const { seconds, headers } = retryAfter(decision.retryAfterMs);
      throw new BentooError("rate_limit_exceeded", `${SIGN_IN_REFUSALS[decision.refusedBy] ?? SIGN_IN_REFUSALS[0]}; try again in ${seconds} seconds.`, {
        headers,
      });
    }
    return { checks, pairKey };
  }

  /** The right password: its pair starts over, and the ceilings get the attempt back. */
  async signedIn(ticket: SignInTicket): Promise<void> {
    await this.#quietly(async () => {
      await this.limiter.reset([ticket.pairKey]);
      await this.limiter.refund(ticket.checks.filter((check) => check.key !== ticket.pairKey));
    });
  }

  /** The attempt was never judged (the server was too busy): it is given back everywhere. */
  async abandoned(checks: readonly AttemptCheck[]): Promise<void> {
    await this.#quietly(() => this.limiter.refund(checks));
  }

  async #attempt(checks: readonly AttemptCheck[]): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number; refusedBy: number }> {
    try {
      // A stalled Redis counts as unreachable: a sign-in never waits on it longer than this.
      return await withTimeout(this.limiter.attempt(checks), MANAGEMENT_REDIS_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn({ err: error }, "sign-up and sign-in limits unreachable");
      if (!this.failOpen)
        throw new BentooError("service_unavailable", "Sign-up and sign-in limits cannot be checked right now; retry shortly.", { cause: error });
      return { allowed: true };
    }
  }

  /** Giving back is best effort: failing to do so only leaves the limits stricter. */
  async #quietly(action: () => Promise<void>): Promise<void> {
    try {
      await withTimeout(action(), MANAGEMENT_REDIS_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn({ err: error }, "could not give a sign-in attempt back");
    }
  }
}
