import type { CreditHold, ReserveOutcome } from "@bentoo/core";
import { ADMIT_REPLY_LENGTH, BUCKET_LUA, MAX_UNITS, SETTLEMENT_DEFER_MS, TurnBatcher, decisionAt, type LimitSpec, type RateDecision, type RedisRateLimiter } from "@bentoo/ratelimit";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { BALANCE_TTL_MS, END_HOLDS_LUA, defineScript, type RedisCreditBank, type Script } from "../credits/redis-bank.js";

/**
 * KEYS = [request bucket, token bucket, balance hash] (one account: one hash tag);
 * ARGV = [pinned now or '', requests/min, tokens/min, balance ttl ms, then per
 * request: tokens wanted, micros to hold (0: no hold)].
 *
 * Each request in order, as the limiter's admit script and the bank's reserve
 * script would decide it one after the other, except that a refused request
 * takes nothing: one that the rate limits refuse holds no credits, and one
 * whose hold does not fit takes neither a request nor tokens.
 *
 * Returns {-1} when a hold is wanted and the balance is not in Redis (nothing
 * was taken); otherwise the balance's epoch ('' when no hold was wanted), then
 * per request push_decision's six numbers (the first is 3 when the credits
 * refused it) and the balance available after it.
 */
const ADMIT_AND_HOLD = `${BUCKET_LUA}
local holding = false
for index = 6, #ARGV, 2 do
  if tonumber(ARGV[index]) > 0 then holding = true end
end
local available, epoch = 0, ''
if holding then
  if redis.call('EXISTS', KEYS[3]) == 0 then return {-1} end
  available = tonumber(redis.call('HGET', KEYS[3], 'b'))
  epoch = redis.call('HGET', KEYS[3], 'e') or ''
end

local now = now_ms(ARGV[1])
local request_limit, token_limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local request_used, request_at = load(KEYS[1], request_limit, now)
local token_used, token_at = load(KEYS[2], token_limit, now)
local taken, held = false, 0
local replies = {epoch}

for index = 5, #ARGV, 2 do
  local wanted, hold = tonumber(ARGV[index]), tonumber(ARGV[index + 1])
  local limited_by, retry_after = check(request_used, token_used, wanted, request_limit, token_limit)
  if limited_by == 0 and hold > 0 and available < hold then limited_by = 3 end
  if limited_by == 0 then
    request_used = request_used + SCALE
    token_used = math.min(MAX_USED, token_used + wanted * SCALE)
    available = available - hold
    held = held + hold
    taken = true
  end
  push_decision(replies, limited_by, request_used, request_limit, token_used, token_limit, retry_after)
  replies[#replies + 1] = available
end

if taken then
  save(KEYS[1], request_used, request_at, request_limit)
  save(KEYS[2], token_used, token_at, token_limit)
end
if held > 0 then
  redis.call('HINCRBY', KEYS[3], 'b', -held)
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
return replies`;

/**
 * KEYS = [token bucket, balance hash];
 * ARGV = [pinned now or '', tokens/min, tokens given back (≤ 0), tokens taken
 * (≥ 0), micros held, micros charged, the holds' epoch].
 *
 * The token reservations corrected (what was given back first, so the bucket
 * is the stricter), then the holds ended as the bank's settle script ends them
 * (END_HOLDS_LUA).
 */
const SETTLE_BOTH = `${BUCKET_LUA}${END_HOLDS_LUA}
local refund, charge = tonumber(ARGV[3]), tonumber(ARGV[4])
if refund ~= 0 or charge ~= 0 then
  local limit = tonumber(ARGV[2])
  local used, at = load(KEYS[1], limit, now_ms(ARGV[1]))
  save(KEYS[1], add_used(add_used(used, refund), charge), at, limit)
end
local held, charged = tonumber(ARGV[5]), tonumber(ARGV[6])
if held > 0 or charged > 0 then end_holds(KEYS[2], held, charged, ARGV[7]) end
return 1`;

/** Numbers per request in ADMIT_AND_HOLD's reply. */
const REPLY_LENGTH = ADMIT_REPLY_LENGTH + 1;
const CREDITS_REFUSED = 3;

interface PendingAdmission {
  accountId: string;
  limits: LimitSpec;
  tokens: number;
  holdMicros: number;
}

/** A request admitted or refused by the rate limits and the balance together. */
export interface JointDecision {
  /** The rate limits' decision; allowed when only the credits refused. */
  decision: RateDecision;
  /** The hold, or why it was refused; null when none was wanted or the rate limits refused first. */
  held: ReserveOutcome | null;
}

interface PendingSettlement {
  accountId: string;
  limits: LimitSpec;
  tokenDelta: number;
  hold: CreditHold | null;
  chargedMicros: number;
}

/**
 * Admission and settlement on the Redis path, for the rate limiter and the
 * credit bank at once: an account's requests of one turn of the event loop are
 * admitted by one script call that checks and takes from both buckets and the
 * balance, and their settlements, one turn's worth, by one call that corrects
 * the token reservations and ends the holds. Two calls per account and turn
 * instead of four (the limiter's and the bank's of each), and no promise per
 * request but the admission's.
 *
 * The keys are the limiter's and the bank's own, so their other calls (a
 * refusal's release, a grant, the balance read) see the same state.
 */
export class RedisAdmissions {
  readonly #limiter: RedisRateLimiter;
  readonly #bank: RedisCreditBank;
  readonly #logger: Logger;
  readonly #now: (() => number) | undefined;
  readonly #admitScript: Script;
  readonly #settleScript: Script;
  readonly #admissions = new TurnBatcher<PendingAdmission, JointDecision>((_key, batch) => this.#admit(batch));
  /** Nobody waits for a settlement: it rides along with the next admissions (see SETTLEMENT_DEFER_MS). */
  readonly #settlements = new TurnBatcher<PendingSettlement, void>((_key, batch) => this.#settle(batch), { deferMs: SETTLEMENT_DEFER_MS });

  constructor(options: { redis: Redis; limiter: RedisRateLimiter; bank: RedisCreditBank; logger: Logger; now?: () => number }) {
    this.#limiter = options.limiter;
    this.#bank = options.bank;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#admitScript = defineScript(options.redis, "bentooAdmitAndHold", 3, ADMIT_AND_HOLD);
    this.#settleScript = defineScript(options.redis, "bentooSettleBoth", 2, SETTLE_BOTH);
  }

  /**
   * Takes one request and `tokens` tokens from the account's buckets and holds
   * `holdMicros` (0: no hold), all or nothing. Rejects when Redis cannot be
   * reached or the balance cannot be loaded; then nothing was taken.
   */
  admit(accountId: string, limits: LimitSpec, tokens: number, holdMicros: number): Promise<JointDecision> {
    return this.#admissions.add(`${accountId}\u0000${limits.requestsPerMinute}\u0000${limits.tokensPerMinute}`, { accountId, limits, tokens, holdMicros });
  }

  /**
   * Corrects the request's token reservation by `tokenDelta` (actual − reserved)
   * and ends its hold, charging `chargedMicros` of it. Never throws, returns
   * nothing: a failed call is logged, and leaves the limits and the balance
   * stricter, never looser.
   */
  settle(accountId: string, limits: LimitSpec, tokenDelta: number, hold: CreditHold | null, chargedMicros: number): void {
    this.#settlements.push(hold === null ? accountId : `${accountId}\u0000${hold.epoch}`, { accountId, limits, tokenDelta, hold, chargedMicros });
  }

  /** Sends the admissions and settlements still waiting for the end of this turn. */
  async flush(): Promise<void> {
    await Promise.all([this.#admissions.flush(), this.#settlements.flush()]);
  }

  #pinnedNow(): string {
    return this.#now === undefined ? "" : String(Math.floor(this.#now()));
  }

  /** One script call for a batch of one account's admissions with the same limits, decided in order. */
  async #admit(batch: PendingAdmission[]): Promise<JointDecision[]> {
    const { accountId, limits } = batch[0]!;
    const { requests, tokens } = this.#limiter.keysFor(accountId);
    const balance = this.#bank.key(accountId);
    const args: Array<string | number> = [requests, tokens, balance, this.#pinnedNow(), limits.requestsPerMinute, limits.tokensPerMinute, BALANCE_TTL_MS];
    let holding = false;
    for (const admission of batch) {
      args.push(admission.tokens, admission.holdMicros);
      if (admission.holdMicros > 0) holding = true;
    }
    if (holding) await this.#bank.dropIfStale(accountId);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = await this.#admitScript(...args);
      if (!Array.isArray(reply) || reply[0] !== -1) return jointDecisions(reply, batch, accountId);
      await this.#bank.loadBalance(accountId);
    }
    throw new Error(`credit balance of ${accountId} could not be loaded into Redis`);
  }

  /** One script call for an account's settlements of one epoch: the token corrections and the holds, summed. */
  async #settle(batch: PendingSettlement[]): Promise<void[]> {
    const { accountId, hold } = batch[0]!;
    // Sums past what one call may carry are cut: a refund that large empties any bucket's
    // debt anyway, and a charge that large leaves the bucket waiting for the maximum.
    let refund = 0;
    let charge = 0;
    let held = 0;
    let charged = 0;
    for (const settlement of batch) {
      if (settlement.tokenDelta < 0) refund = Math.max(-MAX_UNITS, refund + settlement.tokenDelta);
      else charge = Math.min(MAX_UNITS, charge + settlement.tokenDelta);
      if (settlement.hold !== null) {
        held += settlement.hold.amountMicros;
        charged += Math.min(settlement.chargedMicros, settlement.hold.amountMicros);
      }
    }
    const limits = batch[batch.length - 1]!.limits;
    try {
      await this.#settleScript(this.#limiter.keysFor(accountId).tokens, this.#bank.key(accountId), this.#pinnedNow(), limits.tokensPerMinute, refund, charge, held, charged, hold?.epoch ?? "");
    } catch (error) {
      this.#logger.error({ err: error, accountId, settlements: batch.length, heldMicros: held, chargedMicros: charged }, "could not settle credit holds and token reservations");
    }
    return batch.map(() => undefined);
  }
}

/** Narrows ADMIT_AND_HOLD's reply: one joint decision per admission. */
function jointDecisions(reply: unknown, batch: PendingAdmission[], accountId: string): JointDecision[] {
  if (!Array.isArray(reply) || reply.length !== 1 + batch.length * REPLY_LENGTH || !reply.every((value, index) => index === 0 || Number.isSafeInteger(value))) {
    throw new Error(`unexpected reply from the admission script for ${batch.length} request(s): ${JSON.stringify(reply).slice(0, 200)}`);
  }
  const epoch = String(reply[0]);
  const numbers = reply as number[];
  const decisions: JointDecision[] = [];
  for (let index = 0; index < batch.length; index += 1) {
    const { limits, holdMicros } = batch[index]!;
    const offset = 1 + index * REPLY_LENGTH;
    const decision = decisionAt(numbers, offset, limits);
    const availableMicros = numbers[offset + ADMIT_REPLY_LENGTH]!;
    const refused = numbers[offset] === CREDITS_REFUSED;
    const held: ReserveOutcome | null =
      holdMicros === 0 || !decision.allowed ? null : refused ? { ok: false, availableMicros } : { ok: true, hold: { accountId, amountMicros: holdMicros, epoch }, availableMicros };
    decisions.push({ decision, held });
  }
  return decisions;
}
