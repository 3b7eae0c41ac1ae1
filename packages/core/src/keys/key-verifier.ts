import type { KeyWithAccount } from "../accounts/types.js";
import { hashApiKey, hasValidChecksum, parseKeyShape } from "./api-key.js";
import type { KeyCache } from "./key-cache.js";

export type AuthFailureCode = "missing_api_key" | "invalid_auth_scheme" | "malformed_api_key" | "invalid_api_key" | "revoked_api_key" | "expired_api_key";

/** Verification is an outcome, not an exception: the caller decides how to answer. */
export type VerifyOutcome =
  | { valid: true; subject: KeyWithAccount }
  | { valid: false; code: AuthFailureCode; last4: string | null; subject: KeyWithAccount | null };

const failure = (code: AuthFailureCode, last4: string | null = null, subject: KeyWithAccount | null = null): VerifyOutcome => ({
  valid: false,
  code,
  last4,
  subject,
});

/** A well-shaped key as presented in an Authorization header, with its hash. */
export interface PresentedKey {
  authorization: string;
  key: string;
  hash: string;
  last4: string;
}

/**
 * Kept per client connection (in memory only, never logged or stored) for as
 * long as the connection lives: the last key it presented. Its hash is what
 * saves the work; the key is kept to check its checksum when the cache misses.
 */
export interface ConnectionKeyMemo {
  presented?: PresentedKey;
}

/**
 * How long a look-up in flight may be shared with later requests for the same
 * key (real time): each of them gets the store as it was at most this long
 * before it arrived, well inside the revocation bound (docs/security.md).
 */
export const SHARED_LOOKUP_MS = 25;

interface PendingLookup {
  answer: Promise<KeyWithAccount | null>;
  startedAt: number;
  /** The cache's generation when it started: after an invalidation, a new request asks again. */
  readAt: number;
}

/** Bearer header → the well-shaped key it carries, or why it carries none. */
function readBearerKey(authorization: string | undefined): { ok: true; presented: PresentedKey } | { ok: false; failure: VerifyOutcome } {
  if (authorization === undefined || authorization.trim() === "") return { ok: false, failure: failure("missing_api_key") };
  const space = authorization.indexOf(" ");
  const scheme = space === -1 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return { ok: false, failure: failure("invalid_auth_scheme") };
  const key = authorization.slice(space + 1).trim();
  if (key === "") return { ok: false, failure: failure("missing_api_key") };
  const parsed = parseKeyShape(key);
  if (!parsed.ok) return { ok: false, failure: failure("malformed_api_key") };
  return { ok: true, presented: { authorization, key, hash: hashApiKey(key), last4: parsed.last4 } };
}

/**
 * Bearer header → format → SHA-256 → cache → checksum → store: a typo or
 * garbage key is refused by its checksum with no storage look-up, and a cached
 * key skips the checksum, since only keys that passed it are cached.
 * A cached key costs no database round trip, and is answered synchronously: no
 * promise on the hot path unless the store must be asked. Requests for the same
 * key that arrive while the store is being asked share that look-up (within
 * SHARED_LOOKUP_MS, and unless an invalidation came in meanwhile): a cache that
 * expired or is not trusted costs one query per key, not one per request.
 */
export class KeyVerifier {
  /**
   * Queries to the store since start: `miss` (not cached), `bypass` (the cache
   * was not trusted). Counted off the hot path: a cache hit, or a request that
   * shares a look-up in flight, counts nothing.
   */
  readonly storeLookups = { miss: 0, bypass: 0 };
  private readonly pending = new Map<string, PendingLookup>();

  constructor(
    private readonly lookup: (hash: string) => Promise<KeyWithAccount | null>,
    readonly cache: KeyCache,
    private readonly now: () => number = Date.now,
    /** False while cache invalidations might be missed (the invalidation channel is down): then every look-up goes to the store. */
    private readonly cacheTrusted: () => boolean = () => true,
  ) {}

  /**
   * `connection` is what the client's connection remembers of the key it last
   * presented: a keep-alive client sends the same header on every request, and
   * then the header is not parsed or hashed again.
   */
  verify(authorization: string | undefined, connection?: ConnectionKeyMemo): VerifyOutcome | Promise<VerifyOutcome> {
    let presented = connection?.presented;
    if (presented === undefined || presented.authorization !== authorization) {
      const read = readBearerKey(authorization);
      if (!read.ok) return read.failure;
      presented = read.presented;
      if (connection !== undefined) connection.presented = presented;
    }
    const { key, hash, last4 } = presented;
    const trusted = this.cacheTrusted();
    const cached = trusted ? this.cache.get(hash) : undefined;
    // Only a key whose checksum passed is ever cached (under its own hash), so a hit skips the CRC.
    if (cached !== undefined) return this.judge(cached, last4);
    if (!hasValidChecksum(key)) return failure("malformed_api_key", last4);
    return this.ask(hash, trusted).then((subject) => this.judge(subject, last4));
  }

  /** The store's answer for this hash: a look-up of its own, or one in flight it may share. */
  private ask(hash: string, trusted: boolean): Promise<KeyWithAccount | null> {
    const readAt = this.cache.generation;
    const startedAt = performance.now();
    const shared = this.pending.get(hash);
    if (shared !== undefined && shared.readAt === readAt && startedAt - shared.startedAt <= SHARED_LOOKUP_MS) return shared.answer;
    if (trusted) this.storeLookups.miss += 1;
    else this.storeLookups.bypass += 1;
    const answer = this.lookup(hash);
    const entry: PendingLookup = { answer, startedAt, readAt };
    this.pending.set(hash, entry);
    const settled = () => {
      if (this.pending.get(hash) === entry) this.pending.delete(hash);
    };
    // An invalidation that arrives while the store is asked may concern what it answers: then the answer is not cached.
    answer.then((subject) => {
      settled();
      if (trusted) this.cache.set(hash, subject, readAt);
    }, settled);
    return answer;
  }

  private judge(subject: KeyWithAccount | null, last4: string): VerifyOutcome {
    if (subject === null) return failure("invalid_api_key", last4);
    if (subject.key.revokedAt !== null) return failure("revoked_api_key", last4, subject);
    if (subject.key.expiresAt !== null && subject.key.expiresAt <= this.now()) return failure("expired_api_key", last4, subject);
    return { valid: true, subject };
  }
}
