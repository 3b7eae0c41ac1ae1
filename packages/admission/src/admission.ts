/**
 * The admission port: per-account rate limits (requests and tokens per minute)
 * and the credit hold, admitted and settled together — and, for a key with
 * controls of its own, the key's rate limits and its spend cap, in the same
 * atomic decision. The gateway calls `admit`
 * once per request, before the upstream call, and `settle` once its usage and
 * cost are known; everything the `x-ratelimit-*` headers, `Retry-After` and a
 * 402 need is in the decision.
 */

/** Per-account limits; both are whole units per minute (the bucket capacity), integers 1…10^9. */
export interface LimitSpec {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

/** One bucket as OpenAI's headers describe it. */
export interface LimitState {
  /** The capacity (the per-minute limit). */
  limit: number;
  /** Whole units that can be taken right now (0 while the bucket is in debt). */
  remaining: number;
  /** ms until the bucket is full again (0 when it is full). */
  resetMs: number;
}

/** Both buckets after the decision: what the x-ratelimit-* headers show. */
export interface RateLimitState {
  requests: LimitState;
  tokens: LimitState;
}

/** A key's own buckets after the decision; null for a limit the key does not have. */
export interface KeyRateLimitState {
  requests: LimitState | null;
  tokens: LimitState | null;
}

/**
 * A key's spend cap as admission counts it: one count per roll chain and
 * period window. Holds are taken from it like from the balance, and settled to
 * the charge; its start is what storage says the chain has spent in the window
 * (`SpendLoader`), plus the holds open on it.
 */
export interface BudgetSpec {
  /** The key's roll chain (its first key's id): the count is shared by every key of the chain. */
  lineageId: string;
  /** The window [start, end) in ms; end null = no end (a `total` cap). */
  start: number;
  end: number | null;
  /** Micro-dollars the window may spend, a safe integer ≥ 0; travels with every call, so a change applies at once. */
  capMicros: number;
}

/**
 * A key's controls, checked with its account's limits: its own requests and
 * tokens per minute (null = none: only the account's apply) and its spend cap.
 * Omitted (null) for keys without controls, which then cost nothing extra.
 */
export interface KeyLimitSpec {
  /** The key's buckets are kept under its id. */
  keyId: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  /** Only consulted by requests that hold credits (live keys). */
  budget: BudgetSpec | null;
}

export interface AdmissionRequest {
  /**
   * The request's id (the gateway's `req_…`), unique per request: its hold is
   * kept under it, and a ledger row replayed after a crash names it
   * (`LedgerEntry.requestId`), so that `recover` can end that very hold.
   */
  requestId: string;
  /** Whose buckets and balance. */
  accountId: string;
  /** Travels with every call, so a plan change applies on the very next request. */
  limits: LimitSpec;
  /**
   * Tokens reserved against TPM (prompt + max output), an integer 0…10^9.
   *
   * A reservation larger than the whole capacity could never pass a strict
   * check, so the check is clamped to the capacity: such a request passes only
   * when the bucket is full (`retryAfterMs` = time until full otherwise), and
   * then takes the whole reservation, leaving the bucket in debt until `settle`
   * gives back what was not used.
   */
  tokens: number;
  /** Micro-dollars held against the balance until settlement, a safe integer ≥ 0; 0 = no hold (the balance is not consulted). */
  holdMicros: number;
  /** The key's own limits and spend cap; absent or null for a key without any. */
  key?: KeyLimitSpec | null;
}

/**
 * The order of the checks: the account's requests, then its tokens, then the
 * key's requests and tokens, then the key's spend cap, then the balance.
 * `keyRateLimits` is null for a request without key limits.
 */
export type AdmissionDecision =
  | { admitted: true; ticket: AdmissionTicket; rateLimits: RateLimitState; keyRateLimits: KeyRateLimitState | null }
  | {
      admitted: false;
      /** The account's limits (`requests`, `tokens`) or the key's own (`key_requests`, `key_tokens`). */
      refusedBy: "requests" | "tokens" | "key_requests" | "key_tokens";
      rateLimits: RateLimitState;
      keyRateLimits: KeyRateLimitState | null;
      /** ms until both one request and the reserved tokens (at most the capacity) will have refilled, if nobody else takes any. */
      retryAfterMs: number;
    }
  | {
      admitted: false;
      /** `credits`: the account's balance; `key_budget`: the key's spend cap. */
      refusedBy: "credits" | "key_budget";
      rateLimits: RateLimitState;
      keyRateLimits: KeyRateLimitState | null;
      /** What the balance, or the cap's window, has left. */
      availableMicros: number;
    };

/** What settling needs; callers treat it as opaque. */
export interface AdmissionTicket {
  readonly requestId: string;
  readonly accountId: string;
  readonly limits: LimitSpec;
  readonly tokens: number;
  readonly holdMicros: number;
  /** Which copy of the balance the hold was taken from ('' when nothing was held). */
  readonly epoch: string;
  /** The key's controls the request was admitted under (null: none). */
  readonly key: KeyLimitSpec | null;
  /** The spend-cap count the hold was also taken from ('' when none). */
  readonly budgetId: string;
}

export interface Settlement {
  /** Tokens actually used (an integer ≥ 0): the reservation is corrected to it. */
  tokens: number;
  /** Micro-dollars the request is charged (a safe integer ≥ 0); the hold's rest goes back to the balance. */
  chargedMicros: number;
}

export interface Admission {
  /**
   * One request, `tokens` tokens and the hold — all taken, or none (a refusal
   * takes nothing: refused by the rate limits → no hold; refused for credits →
   * neither a request nor tokens). Rejects only when the backend cannot be
   * reached or the balance cannot be loaded (then nothing was taken), or with a
   * RangeError for an invalid request (a caller's bug).
   */
  admit(request: AdmissionRequest): Promise<AdmissionDecision>;
  /**
   * Corrects the token reservation to `tokens` actually used and ends the hold,
   * charging `chargedMicros` (the caller decides the amount; the port does not
   * cap it: a charge above the hold takes the difference from the balance).
   * A ticket settles once: settling it again does nothing. Never throws or
   * rejects; a failure is reported to the `onError` given at construction and
   * leaves limits and balance stricter, never looser (an invalid settlement
   * leaves the ticket unsettled).
   */
  settle(ticket: AdmissionTicket, settlement: Settlement): void;
  /**
   * After a crash, before serving: brings the balance in line with the charges
   * a journal replay found (`charges`), each taken exactly once whether or not
   * the dead process had settled it, then ends the holds the dead processes
   * still had (`instanceIds`, the ids they ran under). A replay may call it once
   * per batch of charges, and once more with the ids. Rejects when the backend
   * cannot be reached (the caller then fails to start).
   */
  recover(recovery: Recovery): Promise<void>;
  /** Credits already written to the ledger become available at once. */
  granted(accountId: string, amountMicros: number): Promise<void>;
  /** What the account could spend right now (loads the balance if needed). */
  available(accountId: string): Promise<number>;
  /** Sends whatever is batched and waiting (tests and shutdown use it). */
  flush(): Promise<void>;
  /** Flushes, then refuses further calls. Never closes a Redis client it was given. */
  close(): Promise<void>;
}

/** A charge whose ledger row a journal replay handed to storage. */
export interface ReplayedCharge {
  accountId: string;
  requestId: string;
  /** Micro-dollars charged (the ledger row's amount, negated): a safe integer ≥ 0. */
  chargedMicros: number;
  /** True when the replay wrote the row (storage did not have it); false when storage had it already. */
  written: boolean;
}

export interface Recovery {
  /** The instance ids dead processes ran under: their holds left open are ended (after the charges). */
  instanceIds: readonly string[];
  charges: readonly ReplayedCharge[];
}

/** A charge already settled but not yet in storage (its ledger row still queued): what a reloaded balance lacks. */
export interface PendingCharge {
  accountId: string;
  requestId: string;
  chargedMicros: number;
}

/** Reads an account's settled balance from storage: where an implementation's copy of the balance starts. */
export type BalanceLoader = (accountId: string) => Promise<number>;

/** Reads what a key's roll chain has been charged in a window, from storage: where a spend-cap count starts. */
export type SpendLoader = (accountId: string, budget: BudgetSpec) => Promise<number>;

/** The name of a spend-cap count: its chain and window (ids hold no ':'). */
export function budgetIdOf(budget: BudgetSpec): string {
  return `${budget.lineageId}:${budget.start}:${budget.end ?? ""}`;
}

/** What a failed settlement concerned, for the log line. */
export interface SettlementFailure {
  accountId: string;
  /** Settlements that were sent together and failed together. */
  settlements: number;
  heldMicros: number;
  chargedMicros: number;
}

/** Hears of the failures nobody waits for (settlements): the caller logs them. */
export type SettlementErrorHandler = (error: unknown, failure: SettlementFailure) => void;
