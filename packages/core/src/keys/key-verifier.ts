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

/** A well-shaped key as presented in a request header, with its hash. */
export interface PresentedKey {
  /** The header's value as received: an `Authorization` value, or the key itself from `x-api-key`. */
  header: string;
  /** Whether it came in `x-api-key` (Anthropic's header) rather than `Authorization`. */
  viaApiKeyHeader: boolean;
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

type ReadKey = { ok: true; presented: PresentedKey } | { ok: false; failure: VerifyOutcome };

/** Bearer header → the well-shaped key it carries, or why it carries none. */
function readBearerKey(authorization: string | undefined): ReadKey {
  if (authorization === undefined || authorization.trim() === "") return { ok: false, failure: failure("missing_api_key") };
  const space = authorization.indexOf(" ");
  const scheme = space === -1 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") return { ok: false, failure: failure("invalid_auth_scheme") };
  return readKey(authorization, false, authorization.slice(space + 1).trim());
}

/** A key as `header` carried it (the Bearer token, or the whole `x-api-key` value), checked for shape. */
function readKey(header: string, viaApiKeyHeader: boolean, key: string): ReadKey {
  if (key === "") return { ok: false, failure: failure("missing_api_key") };
  const parsed = parseKeyShape(key);
  if (!parsed.ok) return { ok: false, failure: failure("malformed_api_key") };
  return { ok: true, presented: { header, viaApiKeyHeader, key, hash: hashApiKey(key), last4: parsed.last4 } };
}

/**
 * Header → format → SHA-256 → cache → checksum → store: a typo or
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
   * The key comes from `authorization` (`Bearer <key>`), or, when the request
   * has no Authorization header, from `apiKeyHeader` (the value of `x-api-key`,
   * where Anthropic's clients send it). `connection` is what the client's
   * connection remembers of the key it last presented: a keep-alive client sends
   * the same header on every request, and then the header is not parsed or
   * hashed again.
   */
  verify(authorization: string | undefined, connection?: ConnectionKeyMemo, apiKeyHeader?: string): VerifyOutcome | Promise<VerifyOutcome> {
    const viaApiKeyHeader = authorization === undefined && apiKeyHeader !== undefined;
    const header = viaApiKeyHeader ? apiKeyHeader : authorization;
    let presented = connection?.presented;
    if (presented === undefined || presented.header !== header || presented.viaApiKeyHeader !== viaApiKeyHeader) {
      const read = viaApiKeyHeader ? readKey(apiKeyHeader, true, apiKeyHeader.trim()) : readBearerKey(authorization);
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
