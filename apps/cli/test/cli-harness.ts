import type { AddressInfo } from "node:net";
import { ADMIN_TOKEN, createTestApp, type TestApp, type TestAppOptions } from "../../gateway/test/helpers.js";
import { run } from "../src/index.js";

export { ADMIN_TOKEN };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Replaces or removes (undefined) variables of the default environment. */
  env?: Record<string, string | undefined>;
  stdin?: string;
}

export interface Gateway {
  t: TestApp;
  url: string;
  /** Runs `bentoo …` in process against this gateway, with BENTOO_BASE_URL and BENTOO_ADMIN_TOKEN set. */
  cli(argv: string[], options?: RunOptions): Promise<CliResult>;
  /** Every byte any run printed, for "never printed" checks. */
  transcript(): string;
  /** A direct admin API call, to compare the CLI against. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  /** GET /v1/models with an API key: 200 when the key works. */
  modelsStatus(key: string): Promise<{ status: number; code: string | null }>;
  dispose(): Promise<void>;
}

/** A real gateway (fresh SQLite database, admin API on) listening on a free loopback port. */
export async function startGateway(options: TestAppOptions = {}): Promise<Gateway> {
  const t = await createTestApp(options);
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const printed: string[] = [];
  return {
    t,
    url,
    async cli(argv, runOptions = {}) {
      let stdout = "";
      let stderr = "";
      const env = { BENTOO_BASE_URL: url, BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, ...runOptions.env };
      const code = await run(argv, {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        env,
        readStdin: async () => runOptions.stdin ?? "",
      });
      printed.push(stdout, stderr);
      return { code, stdout, stderr };
    },
    transcript: () => printed.join("\n"),
    async admin(method, path, body) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, json: await response.json() };
    },
    async modelsStatus(key) {
      const response = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      const json = (await response.json()) as { error?: { code?: string } };
      return { status: response.status, code: json.error?.code ?? null };
    },
    dispose: () => t.dispose(),
  };
}

/** The value of a `label  value` line in a key/value block. */
export function field(text: string, label: string): string | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${label} `));
  return line?.slice(label.length).trim();
}

/** The full key printed by `keys create` / `keys roll`. */
export function printedKey(text: string): string {
  const match = /btoo_sk_(?:live|test)_[A-Za-z0-9]{32}/.exec(text);
  if (match === null) throw new Error(`no key in output:\n${text}`);
  return match[0];
}
