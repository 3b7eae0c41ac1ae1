import { BentooError, compileAllowlist } from "@bentoo/core";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { Config } from "../config.js";
import { isLoopbackHost } from "../transport-config.js";

export const HSTS = "max-age=31536000; includeSubDomains";

/** Probes from load balancers and orchestrators answer on any transport. */
const EXEMPT_PATHS = new Set(["/healthz", "/readyz"]);

/** A Host we may echo in a message; anything else is shown as "…". */
const PLAIN_HOST = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

function httpsRequired(request: FastifyRequest): BentooError {
  // The port the plain request used is not the HTTPS one: suggest the default port.
  const host = PLAIN_HOST.test(request.host) ? request.host.replace(/:\d+$/, "") : "…";
  return new BentooError(
    "https_required",
    `Bentoo only serves HTTPS; use https://${host}${request.url.split("?")[0]!.slice(0, 200)} (this request arrived over plain HTTP).`,
  );
}

/**
 * Root onRequest hook. Every HTTPS response (TLS here, or a trusted proxy's
 * `X-Forwarded-Proto: https`) carries HSTS. When Bentoo runs behind trusted proxies
 * without TLS of its own, plain HTTP is refused: a trusted proxy reporting
 * `X-Forwarded-Proto: http`, or a non-loopback client that bypassed the proxy.
 */
export function transportSecurity(config: Config) {
  const servesTls = config.tls !== null;
  const proxies = config.trustedProxies.length === 0 ? null : compileAllowlist(config.trustedProxies);
  return function secureTransport(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (String(request.protocol ?? "").toLowerCase() === "https") {
      reply.header("strict-transport-security", HSTS);
      done();
      return;
    }
    if (servesTls || proxies === null || EXEMPT_PATHS.has(request.url.split("?")[0]!)) {
      done();
      return;
    }
    const peer = request.socket.remoteAddress ?? "";
    // request.protocol already honours X-Forwarded-Proto from a trusted peer only; a trusted proxy that sends none is taken at its word.
    const plain = proxies.allows(peer) ? request.headers["x-forwarded-proto"] !== undefined : !isLoopbackHost(peer);
    done(plain ? httpsRequired(request) : undefined);
  };
}
