import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { newId, type SessionRecord, type SessionStore } from "@bentoo/core";

export const SESSION_COOKIE = "bentoo_session";
/** Sessions end 7 days after sign-in (absolute), like most dashboards' "remember me" default. */
export const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

export interface IssuedSession {
  session: SessionRecord;
  /** The cookie value: 32 random bytes; only its SHA-256 is stored. */
  token: string;
  csrfToken: string;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Dashboard sessions. The CSRF token is derived from the session token (HMAC-like
 * hash with a domain prefix), so it needs no storage and changes with every session.
 */
export class SessionManager {
  constructor(
    private readonly store: SessionStore,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async create(accountId: string, context: { sourceIp: string | null; userAgent: string | null }): Promise<IssuedSession> {
    const token = randomBytes(32).toString("base64url");
    const at = this.now();
    const session: SessionRecord = { id: newId("session"), tokenHash: sha256(token), accountId, createdAt: at, expiresAt: at + this.ttlMs, ...context };
    await this.store.create(session);
    return { session, token, csrfToken: this.csrfFor(token) };
  }

  resolve(token: string): Promise<SessionRecord | null> {
    return this.store.findByTokenHash(sha256(token), this.now());
  }

  async end(sessionId: string): Promise<void> {
    await this.store.delete(sessionId);
  }

  csrfFor(token: string): string {
    return createHash("sha256").update("bentoo-csrf\0").update(token).digest("base64url");
  }

  csrfMatches(token: string, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const expected = Buffer.from(this.csrfFor(token));
    const actual = Buffer.from(presented);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim() || null;
  }
  return null;
}

/** The Set-Cookie value: HttpOnly, SameSite=Lax, Secure over HTTPS, Path=/. */
export function sessionCookie(token: string | null, secure: boolean, maxAgeSeconds: number): string {
  const attributes = [`${SESSION_COOKIE}=${token ?? ""}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${token === null ? 0 : maxAgeSeconds}`];
  if (secure) attributes.push("Secure");
  return attributes.join("; ");
}
