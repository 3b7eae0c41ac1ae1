import type { Socket } from "node:net";
import { type AuthFailureCode, BentooError, type ConnectionKeyMemo, type KeyVerifier, type KeyWithAccount, type VerifyOutcome } from "@bentoo/core";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated key and its account (set by `authenticate`). */
    subject: KeyWithAccount | null;
  }
}

const CREATE_HINT = "Create a key in the dashboard under Settings → API Keys.";

function failureMessage(code: AuthFailureCode, last4: string | null): string {
  const id = last4 === null ? "" : ` (key ID ••••${last4})`;
  switch (code) {
    case "missing_api_key":
      return `No API key provided. Send it in the Authorization header: "Authorization: Bearer btoo_sk_live_…" (Anthropic's clients may send it as "x-api-key: btoo_sk_live_…"). ${CREATE_HINT}`;
    case "invalid_auth_scheme":
      return 'The Authorization header must use the Bearer scheme: "Authorization: Bearer btoo_sk_live_…".';
    case "malformed_api_key":
      return `The API key is malformed${id}: Bentoo keys are btoo_sk_live_ or btoo_sk_test_ followed by 32 letters and digits, with a checksum. Check that the whole key was copied.`;
    case "invalid_api_key":
      return `Invalid API key${id}. Check that the whole key was copied; it may belong to another Bentoo server. ${CREATE_HINT}`;
    case "revoked_api_key":
      return `This API key${id} has been revoked. ${CREATE_HINT}`;
    case "expired_api_key":
      return `This API key${id} has expired (its roll grace period or expiry date has passed). Use its replacement, or create a new key.`;
  }
}

/** Sets the request's subject, or returns the error to answer with. */
function settle(request: FastifyRequest, outcome: VerifyOutcome): BentooError | undefined {
  if (!outcome.valid) {
    request.authFailure = { last4: outcome.last4, subject: outcome.subject };
    return new BentooError(outcome.code, failureMessage(outcome.code, outcome.last4));
  }
  request.subject = outcome.subject;
  return undefined;
}

/**
 * Authenticates the key of a gateway request, from `Authorization: Bearer <key>`
 * or, without an Authorization header, from `x-api-key: <key>` (how Anthropic's
 * SDKs and Claude Code send a key); unauthenticated requests never reach a handler. A callback hook, not an async one: a cached key is
 * verified synchronously, with no promise on the hot path. Each connection
 * remembers the last key it presented, so that a keep-alive client's key is
 * hashed once per connection, not once per request (the key cache still
 * decides, so a revoked key is refused on its next request).
 */
export function authenticate(verifier: KeyVerifier) {
  const connections = new WeakMap<Socket, ConnectionKeyMemo>();
  return function authenticateRequest(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const socket = request.raw.socket;
    let memo = connections.get(socket);
    if (memo === undefined) {
      memo = {};
      connections.set(socket, memo);
    }
    const apiKey = request.headers["x-api-key"];
    const outcome = verifier.verify(request.headers.authorization, memo, typeof apiKey === "string" ? apiKey : undefined);
    if (outcome instanceof Promise) outcome.then((verified) => done(settle(request, verified)), done);
    else done(settle(request, outcome));
  };
}
