import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

/** The compiled server, started the way `npm start` does (e2e tests build first). */
export const GATEWAY_MAIN = fileURLToPath(new URL("../../apps/gateway/dist/main.js", import.meta.url));

export interface BuiltServer {
  child: ChildProcess;
  /** e.g. https://127.0.0.1:41234 */
  baseUrl: string;
  output: () => string;
  /** The demo account's test key from the banner, when the database was empty. */
  demoKey: string | null;
}

const BANNER = /Bentoo is serving on (https?:\/\/\S+)/;
const DEMO_KEY = /export BENTOO_API_KEY=(btoo_sk_test_[0-9A-Za-z]{32})/;

/** This process's environment without BENTOO_* settings (CI's and the developer's stay out of the server). */
function inheritedEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("BENTOO_")));
}

/**
 * Starts `node apps/gateway/dist/main.js` on 127.0.0.1 with an ephemeral port and
 * `env` (over an inherited environment without BENTOO_* settings), and waits for
 * its banner, and for the demo key too when `waitForDemoKey` (a first start with
 * the demo seeded prints it).
 */
export async function startBuiltServer(env: Record<string, string>, options: { waitForDemoKey?: boolean } = {}): Promise<BuiltServer> {
  const child = spawn(process.execPath, [GATEWAY_MAIN], {
    env: { ...inheritedEnvironment(), HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const started = () => BANNER.test(output) && (options.waitForDemoKey !== true || DEMO_KEY.test(output));
  // Read as the output arrives (these listeners run after the ones above have appended it); 30 s bounds a hung start.
  await new Promise<void>((resolve, reject) => {
    const fail = () => {
      stop();
      child.kill("SIGKILL");
      reject(new Error(`the built server did not start:\n${output}`));
    };
    const check = () => {
      if (!started()) return;
      stop();
      resolve();
    };
    const timer = setTimeout(fail, 30_000);
    const stop = () => {
      clearTimeout(timer);
      child.stdout!.off("data", check);
      child.stderr!.off("data", check);
      child.off("exit", fail);
    };
    child.stdout!.on("data", check);
    child.stderr!.on("data", check);
    child.once("exit", fail);
  });
  return { child, baseUrl: BANNER.exec(output)![1]!, output: () => output, demoKey: DEMO_KEY.exec(output)?.[1] ?? null };
}

/** Polls `check` until it returns something other than undefined/false, or throws naming `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
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
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
export async function stopBuiltServer(server: BuiltServer | undefined): Promise<number | null> {
  if (server === undefined) return null;
  if (server.child.exitCode !== null || server.child.signalCode !== null) return server.child.exitCode;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  return server.child.exitCode;
}

/** Runs the built server expecting it to refuse to start; resolves with its exit code and output. */
export async function runUntilExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [GATEWAY_MAIN], { env: { ...inheritedEnvironment(), PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, output };
}

/** An admin API call on a built server that must succeed (the test fails with its answer otherwise); its JSON answer. */
export async function adminCall(baseUrl: string, token: string, method: string, path: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(json)).toBeLessThan(300);
  return json;
}
