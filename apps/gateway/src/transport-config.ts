import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { BentooError, parseAllowlist } from "@bentoo/core";
import { ConfigError } from "./config-error.js";

/**
 * How Bentoo meets the network (PRODUCT.md §4, docs/security.md): TLS files,
 * trusted proxies, timeouts against slow clients, and the start-up rule that
 * plain HTTP is for loopback only.
 */
export interface TlsFiles {
  cert: string;
  key: string;
}

export interface ServerTimeouts {
  /** Longest wait for a request's headers, from the connection's first byte (Node's `headersTimeout`). */
  headersMs: number;
  /** Longest wait for a whole request, headers and body; never applies to the response (Node's `requestTimeout`). */
  requestMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveMs: number;
  /** A socket with no traffic either way for this long is closed; above the providers' timeouts so a long generation is not cut. */
  idleMs: number;
}

type Environment = Readonly<Record<string, string | undefined>>;

function text(env: Environment, name: string): string | null {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? null : value;
}

function milliseconds(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const value = text(env, name);
  if (value === null) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max)
    throw new ConfigError(`${name} must be a number of milliseconds from ${min} to ${max} (got "${value}")`);
  return parsed;
}

function readPem(variable: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${variable}: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function loadTls(env: Environment): TlsFiles | null {
  const certPath = text(env, "BENTOO_TLS_CERT");
  const keyPath = text(env, "BENTOO_TLS_KEY");
  if (certPath === null && keyPath === null) return null;
  if (certPath === null || keyPath === null) {
    throw new ConfigError(
      `${certPath === null ? "BENTOO_TLS_CERT" : "BENTOO_TLS_KEY"} is not set: HTTPS needs both BENTOO_TLS_CERT (the PEM certificate chain) and BENTOO_TLS_KEY (its PEM private key).`,
    );
  }
  const files = { cert: readPem("BENTOO_TLS_CERT", certPath), key: readPem("BENTOO_TLS_KEY", keyPath) };
  try {
    createSecureContext(files);
  } catch (error) {
    throw new ConfigError(
      `BENTOO_TLS_CERT (${certPath}) and BENTOO_TLS_KEY (${keyPath}) are not a usable PEM certificate and matching private key: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return files;
}

function trustedProxies(env: Environment): string[] {
  const entries = (text(env, "BENTOO_TRUSTED_PROXIES") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  try {
    return [...parseAllowlist(entries, "BENTOO_TRUSTED_PROXIES").entries];
  } catch (error) {
    if (error instanceof BentooError)
      throw new ConfigError(
        `${error.message.replace(/^BENTOO_TRUSTED_PROXIES\[(\d+)\]/, (_, index: string) => `BENTOO_TRUSTED_PROXIES entry ${Number(index) + 1}`)} Separate entries with commas.`,
      );
    throw error;
  }
}

const LOOPBACK = parseAllowlist(["127.0.0.0/8", "::1"], "loopback");

export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === "localhost" || LOOPBACK.allows(host.replace(/^\[(.*)\]$/, "$1"));
}

function timeouts(env: Environment): ServerTimeouts {
  const headersMs = milliseconds(env, "BENTOO_HEADERS_TIMEOUT_MS", 30_000, 100, 600_000);
  const requestMs = milliseconds(env, "BENTOO_REQUEST_TIMEOUT_MS", 120_000, 100, 3_600_000);
  if (headersMs > requestMs)
    throw new ConfigError(
      `BENTOO_HEADERS_TIMEOUT_MS (${headersMs}) must not exceed BENTOO_REQUEST_TIMEOUT_MS (${requestMs}): the headers are part of the request.`,
    );
  return {
    headersMs,
    requestMs,
    keepAliveMs: milliseconds(env, "BENTOO_KEEP_ALIVE_TIMEOUT_MS", 72_000, 100, 3_600_000),
    idleMs: milliseconds(env, "BENTOO_IDLE_TIMEOUT_MS", 660_000, 1_000, 24 * 3_600_000),
  };
}

/**
 * Reads the transport settings and refuses a plain-HTTP listener on a non-loopback
 * address unless a TLS-terminating proxy is declared in front of it.
 */
export function parseTransport(env: Environment, host: string): { trustedProxies: string[]; tls: TlsFiles | null; timeouts: ServerTimeouts } {
  const tls = loadTls(env);
  const proxies = trustedProxies(env);
  if (tls === null && proxies.length === 0 && !isLoopbackHost(host)) {
    throw new ConfigError(
      `HOST=${host} is not a loopback address, and Bentoo serves plain HTTP only on loopback (127.0.0.1, ::1, localhost): API keys and session cookies would cross the network unencrypted. ` +
        "Either set BENTOO_TLS_CERT and BENTOO_TLS_KEY so Bentoo serves HTTPS itself (for development: npm run dev-cert), " +
        "or, behind a TLS-terminating proxy or load balancer, set BENTOO_TRUSTED_PROXIES to its addresses or CIDR blocks (e.g. BENTOO_TRUSTED_PROXIES=10.0.0.0/8). " +
        "To stay on this machine only, set HOST=127.0.0.1.",
    );
  }
  return { trustedProxies: proxies, tls, timeouts: timeouts(env) };
}
