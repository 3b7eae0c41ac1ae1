import type { Server, ServerOptions } from "node:http";
import { compileAllowlist } from "@bentoo/core";
import type { FastifyHttpOptions } from "fastify";
import type { Config } from "../config.js";

type NodeServerOptions = Pick<FastifyHttpOptions<Server>, "http" | "trustProxy" | "connectionTimeout" | "keepAliveTimeout" | "requestTimeout">;

/**
 * The Node server under Fastify: HTTPS when a certificate is configured, which
 * peers may speak for the client (X-Forwarded-For/-Proto/-Host), and the timeouts
 * against slow clients. Checked once at start-up (config.ts); nothing here runs per request
 * except the trust function.
 *
 * Timeouts (Node ≥ 18 semantics): `headersTimeout` and `requestTimeout` bound
 * *receiving* a request (a slowloris client that never finishes its headers or body
 * gets 408 and is disconnected), and are checked every `connectionsCheckingInterval`;
 * neither applies once the request is in, so a long streamed response is never cut
 * by them. `connectionTimeout` closes a socket idle in both directions (set above the
 * providers' timeouts); `keepAliveTimeout` closes idle keep-alive connections.
 */
export function serverOptions(config: Config): NodeServerOptions {
  const { headersMs, requestMs, keepAliveMs, idleMs } = config.timeouts;
  const node: ServerOptions = {
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    keepAliveTimeout: keepAliveMs,
    connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(headersMs / 4))),
  };
  const options: NodeServerOptions = { connectionTimeout: idleMs, keepAliveTimeout: keepAliveMs, requestTimeout: requestMs, http: node };
  if (config.trustedProxies.length > 0) {
    const trusted = compileAllowlist(config.trustedProxies);
    // proxy-addr walks from the socket address leftwards through X-Forwarded-For while
    // each hop is trusted, so request.ip is the right-most untrusted hop; an untrusted
    // peer's header is never read. request.protocol/host read X-Forwarded-Proto/-Host
    // only when the immediate peer (hop 0) is trusted.
    options.trustProxy = (address: string) => trusted.allows(address);
  }
  if (config.tls === null) return options;
  // HTTP/1.1 over TLS. Fastify types the instance by its server class; an https.Server
  // serves the same routes and hooks, so this one cast keeps createApp's types plain.
  const https = { ...node, cert: config.tls.cert, key: config.tls.key, minVersion: "TLSv1.2" as const };
  return { ...options, http: undefined, https } as NodeServerOptions;
}
