#!/usr/bin/env node
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { pathToFileURL } from "node:url";

/**
 * The container health check (`HEALTHCHECK` in the Containerfile): asks the gateway
 * running in the same container for `GET /readyz` and exits 0 when it answers 200,
 * 1 otherwise, printing why. It reads the same `HOST`, `PORT` and `BENTOO_TLS_CERT`
 * the gateway was started with, and needs no curl or wget in the image.
 */

type Environment = Readonly<Record<string, string | undefined>>;

/** The outcome of one probe: ready, or not and why (printed into the container's health log). */
export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Where a gateway started with this environment answers `/readyz`, seen from its own
 * host: a wildcard `HOST` (`0.0.0.0`, `::`) is reached on loopback, any other address
 * as given; HTTPS when Bentoo terminates TLS itself.
 */
export function readinessUrl(env: Environment): URL {
  const host = env.HOST?.trim() || "127.0.0.1";
  const port = env.PORT?.trim() || "8080";
  const scheme = env.BENTOO_TLS_CERT?.trim() ? "https" : "http";
  const address = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return new URL(`${scheme}://${address.includes(":") ? `[${address}]` : address}:${port}/readyz`);
}

/**
 * One `GET` of `url`, ready when it answers 200 within `timeoutMs`. Over HTTPS the
 * certificate is not verified: it names the public host, and this probe only asks
 * its own process on its own host.
 */
export function probeReadiness(url: URL, timeoutMs: number): Promise<Readiness> {
  return new Promise((resolve) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(url, { method: "GET", timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        if (response.statusCode === 200) resolve({ ready: true });
        else resolve({ ready: false, reason: `${url.href} answered ${response.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}` });
      });
      response.on("error", (error) => resolve({ ready: false, reason: `${url.href}: ${error.message}` }));
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => resolve({ ready: false, reason: `${url.href}: ${error.message}` }));
    request.end();
  });
}

const PROBE_TIMEOUT_MS = 4_000;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outcome = await probeReadiness(readinessUrl(process.env), PROBE_TIMEOUT_MS);
  if (!outcome.ready) process.stderr.write(`not ready: ${outcome.reason}\n`);
  process.exit(outcome.ready ? 0 : 1);
}
