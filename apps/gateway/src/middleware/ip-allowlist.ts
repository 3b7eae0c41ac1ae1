import { AllowlistCache, BentooError, parseClientAddress } from "@bentoo/core";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

function denied(ip: string, scope: "key" | "account"): BentooError {
  const shown = ip.length > 64 ? `${ip.slice(0, 64)}…` : ip;
  const owner = scope === "key" ? "this key" : "this key's account";
  return new BentooError(
    "ip_not_allowed",
    `Requests from ${shown} are not allowed for ${owner} (IP allowlist). Send the request from an allowed network, or ask the account owner to add this address in the dashboard under Settings → Security.`,
  );
}

/**
 * Gateway onRequest hook, right after `authenticate`: when the key and/or its
 * account carry an allowlist, the client IP (request.ip: the socket address, or the
 * right-most untrusted X-Forwarded-For hop behind trusted proxies) must be inside
 * every list present. Runs before rate limits and credits, so a refused request
 * spends neither. Lists are compiled once per cached key/account record.
 */
export function ipAllowlist(cache: AllowlistCache = new AllowlistCache()) {
  return function enforceIpAllowlist(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    done(refusal(cache, request));
  };
}

/** The error to answer with when the client's address is outside a list that applies. */
function refusal(cache: AllowlistCache, request: FastifyRequest): BentooError | undefined {
  const subject = request.subject;
  if (subject === null) return undefined;
  const keyList = subject.key.ipAllowlist;
  const accountList = subject.account.ipAllowlist;
  const keyRestricted = keyList !== null && keyList.length > 0;
  const accountRestricted = accountList !== null && accountList.length > 0;
  if (!keyRestricted && !accountRestricted) return undefined;
  const ip = request.ip;
  const address = parseClientAddress(ip);
  if (keyRestricted && !cache.get(keyList).allowsAddress(address)) return denied(ip, "key");
  if (accountRestricted && !cache.get(accountList).allowsAddress(address)) return denied(ip, "account");
  return undefined;
}
