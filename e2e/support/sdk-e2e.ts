import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Helpers for the SDK end-to-end tests (e2e/sdk-js.test.ts): the built server as a
 * child process, exactly as `npm start` runs it, and a few admin API calls.
 */

export const GATEWAY_MAIN = fileURLToPath(new URL("../../apps/gateway/dist/main.js", import.meta.url));

const BANNER = /Bentoo is serving on (http:\/\/\S+)/;
const DEMO_KEY = /export BENTOO_API_KEY=(btoo_sk_test_[0-9A-Za-z]{32})/;

export interface Gateway {
  child: ChildProcess;
  /** The server's origin, e.g. http://127.0.0.1:PORT (no /v1). */
  origin: string;
  /** The SDKs' base URL: origin + /v1. */
  baseURL: string;
  /** The demo account's test key printed on first start, when the demo is seeded. */
  demoKey: string | undefined;
  output: () => string;
}

/**
 * Starts `node apps/gateway/dist/main.js` on 127.0.0.1 and an ephemeral port with the
 * given environment (added to a copy of this process's, without inherited BENTOO_*
 * settings) and waits for its banner (and the demo key, unless BENTOO_SEED_DEMO=false).
 */
export async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("BENTOO_")));
  const child = spawn(process.execPath, [GATEWAY_MAIN], {
    env: { ...base, HOST: "127.0.0.1", PORT: "0", BENTOO_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const seeded = env.BENTOO_SEED_DEMO !== "false";
  const deadline = Date.now() + 30_000;
  while (!BANNER.test(output) || (seeded && !DEMO_KEY.test(output))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the built server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const origin = BANNER.exec(output)![1]!;
  return { child, origin, baseURL: `${origin}/v1`, demoKey: DEMO_KEY.exec(output)?.[1], output: () => output };
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
export async function stopGateway(gateway: Gateway | undefined): Promise<void> {
  if (gateway === undefined || gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
  const exited = new Promise((resolve) => gateway.child.once("exit", resolve));
  gateway.child.kill("SIGTERM");
  const timer = setTimeout(() => gateway.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
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

/** Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError === null ? "" : `: ${String(lastError)}`}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
