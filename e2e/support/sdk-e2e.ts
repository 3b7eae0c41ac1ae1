import { type BuiltServer, startBuiltServer, stopBuiltServer } from "./built-server.js";

/**
 * Helpers for the SDK end-to-end tests (e2e/sdk-js.test.ts): the built server
 * (e2e/support/built-server.ts) seen with the SDKs' base URL, and admin API calls.
 */

export { eventually, GATEWAY_MAIN } from "./built-server.js";

export interface Gateway {
  server: BuiltServer;
  /** The server's origin, e.g. http://127.0.0.1:PORT (no /v1). */
  origin: string;
  /** The SDKs' base URL: origin + /v1. */
  baseURL: string;
  /** The demo account's test key printed on first start, when the demo is seeded. */
  demoKey: string | undefined;
  output: () => string;
}

/** Starts the built server with `env` (warnings only in its log) and waits for its banner and, when the demo is seeded, its key. */
export async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const server = await startBuiltServer({ BENTOO_LOG_LEVEL: "warn", ...env }, { waitForDemoKey: env.BENTOO_SEED_DEMO !== "false" });
  return { server, origin: server.baseUrl, baseURL: `${server.baseUrl}/v1`, demoKey: server.demoKey ?? undefined, output: server.output };
}

export async function stopGateway(gateway: Gateway | undefined): Promise<void> {
  await stopBuiltServer(gateway?.server);
}

/** One admin API call with the operator token; throws on a non-2xx answer. */
export async function adminCall<T = Record<string, unknown>>(gateway: Gateway, token: string, method: string, path: string, body?: object): Promise<T> {
  const response = await fetch(`${gateway.origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text === "" ? {} : JSON.parse(text)) as T;
}
