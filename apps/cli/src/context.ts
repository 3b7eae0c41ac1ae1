import type { Command } from "commander";
import { AdminClient } from "./admin-client.js";

/** Everything the CLI touches outside itself, so tests can run it in process. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** The whole of standard input (for --password-stdin); defaults to process.stdin. */
  readStdin?: () => Promise<string>;
  fetch?: typeof fetch;
}

export const DEFAULT_URL = "http://127.0.0.1:8080";
export const TOKEN_VARIABLE = "BENTOO_ADMIN_TOKEN";
/** The server's address, under the name the SDKs read too. */
export const URL_VARIABLE = "BENTOO_BASE_URL";
/** The CLI's former name for it, still read; URL_VARIABLE wins when both are set. */
export const URL_ALIAS_VARIABLE = "BENTOO_URL";

/** A mistake in how the CLI was called: reported as `error: …`, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** What an action needs: a client built from the global options, and somewhere to print. */
export interface Invocation {
  client: AdminClient;
  json: boolean;
  io: CliIo;
  /** Prints `value` as JSON under --json, else the readable rendering. */
  emit(value: unknown, readable: () => string): void;
}

function optionString(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Where the base URL came from: the flag, one of the variables, or the default. */
interface UrlSetting {
  text: string;
  source: string;
}

function urlSetting(options: Record<string, unknown>, io: CliIo): UrlSetting {
  const flag = optionString(options, "url");
  if (flag !== undefined) return { text: flag, source: "--url" };
  const current = io.env[URL_VARIABLE]?.trim() || undefined;
  const alias = io.env[URL_ALIAS_VARIABLE]?.trim() || undefined;
  if (current !== undefined && alias !== undefined && current !== alias) {
    io.stderr(`warning: ${URL_ALIAS_VARIABLE} and ${URL_VARIABLE} differ; using ${URL_VARIABLE}. ${URL_ALIAS_VARIABLE} is its old name: unset it.\n`);
  }
  if (current !== undefined) return { text: current, source: URL_VARIABLE };
  if (alias !== undefined) return { text: alias, source: URL_ALIAS_VARIABLE };
  return { text: DEFAULT_URL, source: "the default" };
}

/**
 * The gateway's root, where `/admin/v1` lives. The SDKs' base URL ends in `/v1`
 * (http://127.0.0.1:8080/v1), so one BENTOO_BASE_URL serves both: that suffix is
 * dropped here, and a root URL is taken as it is.
 */
function resolveUrl(setting: UrlSetting): string {
  let url: URL;
  try {
    url = new URL(setting.text);
  } catch {
    throw new UsageError(`${setting.source} must be an absolute http(s) URL such as ${DEFAULT_URL} (or ${DEFAULT_URL}/v1).`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${setting.source} must use http or https, not ${url.protocol}`);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
  return `${url.origin}${path}`;
}

/**
 * Resolved inside each action, because the global options are only known once
 * commander has parsed the whole command line. The token comes from --token or
 * BENTOO_ADMIN_TOKEN and is never printed.
 */
export function invocation(command: Command, io: CliIo): Invocation {
  const options = command.optsWithGlobals<Record<string, unknown>>();
  const token = optionString(options, "token") ?? io.env[TOKEN_VARIABLE];
  if (token === undefined || token === "") {
    throw new UsageError(`no admin token: set ${TOKEN_VARIABLE} (the operator token the gateway was started with) or pass --token.`);
  }
  const baseUrl = resolveUrl(urlSetting(options, io));
  const json = options.json === true;
  const client = new AdminClient({ baseUrl, token, ...(io.fetch === undefined ? {} : { fetch: io.fetch }) });
  return {
    client,
    json,
    io,
    emit(value, readable) {
      io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : readable());
    },
  };
}

export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
