import { type Account, BentooError, type SessionRecord } from "@bentoo/core";
import type { FastifyRequest } from "fastify";
import { readCookie, SESSION_COOKIE, type SessionManager } from "../auth/sessions.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in dashboard session and its account (set by `sessionAuth`). */
    dashboard: { session: SessionRecord; token: string; account: Account } | null;
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A request from another site: its Origin names a different host than the one it was sent to. */
export function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

/**
 * Guards the account API: a live session cookie, and for every state-changing
 * method the session's CSRF token in `X-CSRF-Token` from the same origin.
 */
export function sessionAuth(sessions: SessionManager, loadAccount: (id: string) => Promise<Account | null>) {
  return async function authenticateSession(request: FastifyRequest): Promise<void> {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    const session = token === null ? null : await sessions.resolve(token);
    const account = session === null ? null : await loadAccount(session.accountId);
    if (token === null || session === null || account === null) {
      throw new BentooError("invalid_session", "Sign in to the dashboard first: this endpoint needs a session (POST /api/auth/signin).");
    }
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers["x-csrf-token"];
      if (crossOrigin(request) || !sessions.csrfMatches(token, typeof header === "string" ? header : undefined)) {
        throw new BentooError(
          "invalid_csrf_token",
          "This request needs the session's CSRF token in the X-CSRF-Token header (from GET /api/account), sent from the dashboard's own origin.",
        );
      }
    }
    request.dashboard = { session, token, account };
  };
}
