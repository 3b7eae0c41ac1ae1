import type { SessionJson } from "@bentoo/api-types";
import { type Account, type AuditEvent, BentooError, managementEvent, normalizeEmail, optionalString, requireStrictBody, requireString } from "@bentoo/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hashPassword } from "../../auth/password.js";
import { readCookie, SESSION_COOKIE, SESSION_TTL_MS, sessionCookie } from "../../auth/sessions.js";
import { actionContext } from "../../http/action-context.js";
import { crossOrigin } from "../../middleware/session-auth.js";
import type { Services } from "../../services.js";
import { presentSession } from "./present.js";

/** A real hash to compare against when the email is unknown, so both paths take as long. */
let decoyHash: Promise<string> | undefined;

function credentials(body: unknown): { email: string; password: string } {
  const object = requireStrictBody(body, ["email", "password"]);
  const email = requireString(object, "email", { maxLength: 320 }).toLowerCase();
  const password = optionalString(object, "password", { maxLength: 1024, trim: false });
  if (password === undefined) throw new BentooError("invalid_request", "password is required.", { param: "password" });
  return { email, password };
}

/** Sign-in events go straight to the audit log (awaited: they are rare and must not be lost). */
export async function recordAccountEvent(services: Services, request: FastifyRequest, event: AuditEvent, accountId: string): Promise<void> {
  const context = { ...actionContext(request), actor: `session:${accountId}` };
  await services.storage.records.write({ audit: [managementEvent(event, context, { accountId }, services.now())], ledger: [] });
}

async function startSession(services: Services, request: FastifyRequest, reply: FastifyReply, account: Account): Promise<SessionJson> {
  const issued = await services.sessions.create(account.id, { sourceIp: request.ip, userAgent: request.headers["user-agent"] ?? null });
  reply.header("set-cookie", sessionCookie(issued.token, request.protocol === "https", SESSION_TTL_MS / 1000));
  return presentSession(services, account, issued.csrfToken);
}

/** Sign up, sign in, sign out (account API, PRODUCT.md §6). */
export function authRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Reply: SessionJson }>("/api/auth/signup", async (request, reply) => {
    if (crossOrigin(request)) throw new BentooError("invalid_csrf_token", "Sign-up must come from the dashboard's own origin.");
    const { email, password } = credentials(request.body);
    if (password.length < 10) throw new BentooError("invalid_request", "password must be at least 10 characters.", { param: "password" });
    const normalizedEmail = normalizeEmail(email);
    // Counted per address before the costly hash; a sign-up the server was too busy to hash is given back.
    const counted = await services.accountThrottle.signUp(request.ip);
    const passwordHash = await hashOrGiveBack(services.passwords.hash(password, "low"), () => services.accountThrottle.abandoned(counted));
    const account = await services.accounts.signUp({ email: normalizedEmail, passwordHash }, actionContext(request));
    return reply.code(201).send(await startSession(services, request, reply, account));
  });

  app.post<{ Reply: SessionJson }>("/api/auth/signin", async (request, reply) => {
    if (crossOrigin(request)) throw new BentooError("invalid_csrf_token", "Sign-in must come from the dashboard's own origin.");
    const { email, password } = credentials(request.body);
    const ticket = await services.accountThrottle.signIn(email, request.ip);
    const account = await services.storage.accounts.getByEmail(email);
    const stored = await services.storage.accounts.passwordHashOf(email);
    // Made once per process, outside the hasher's queue (it is not a request's work).
    decoyHash ??= hashPassword("decoy password for timing");
    const valid = await hashOrGiveBack(services.passwords.verify(password, stored ?? (await decoyHash)), () =>
      services.accountThrottle.abandoned(ticket.checks),
    );
    if (account === null || stored === null || !valid) {
      if (account !== null) await recordAccountEvent(services, request, "account.sign_in_failed", account.id);
      throw new BentooError("invalid_credentials", "The email or password is not right.");
    }
    await services.accountThrottle.signedIn(ticket);
    await recordAccountEvent(services, request, "account.signed_in", account.id);
    // Sign-in rotates the session: any session the browser still carried ends here.
    const previousToken = readCookie(request.headers.cookie, SESSION_COOKIE);
    const previous = previousToken === null ? null : await services.sessions.resolve(previousToken);
    if (previous !== null) await services.sessions.end(previous.id);
    return startSession(services, request, reply, account);
  });
}

/** A hash the server refused to queue (503) leaves the attempt uncounted. */
async function hashOrGiveBack<T>(work: Promise<T>, giveBack: () => Promise<void>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    await giveBack();
    throw error;
  }
}

/** Sign out: needs the session and its CSRF token like every state-changing call. */
export function signOutRoute(app: FastifyInstance, services: Services): void {
  app.post("/api/auth/signout", async (request, reply) => {
    await services.sessions.end(request.dashboard!.session.id);
    await recordAccountEvent(services, request, "account.signed_out", request.dashboard!.account.id);
    reply.header("set-cookie", sessionCookie(null, request.protocol === "https", 0));
    return reply.code(204).send();
  });
}
