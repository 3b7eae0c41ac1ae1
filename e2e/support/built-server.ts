import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

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

/** Starts `node apps/gateway/dist/main.js` on 127.0.0.1 with an ephemeral port and waits for its banner. */
export async function startBuiltServer(env: Record<string, string>): Promise<BuiltServer> {
  const child = spawn(process.execPath, [GATEWAY_MAIN], { env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!BANNER.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, baseUrl: BANNER.exec(output)![1]!, output: () => output, demoKey: /export BENTOO_API_KEY=(btoo_sk_test_[0-9A-Za-z]{32})/.exec(output)?.[1] ?? null };
}

/** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
export async function stopBuiltServer(server: BuiltServer | undefined): Promise<number | null> {
  if (server === undefined) return null;
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  return server.child.exitCode;
}

/** Runs the built server expecting it to refuse to start; resolves with its exit code and output. */
export async function runUntilExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [GATEWAY_MAIN], { env: { ...process.env, PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  return { code, output };
}
