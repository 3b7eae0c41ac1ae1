import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunnableExample, RunnableLanguage } from "./runnable-examples.js";

/**
 * Runs one runnable example of the docs pages against a Bentoo server: the page's
 * placeholder origin replaced by the server's, the key in `BENTOO_API_KEY`, bash
 * with `-euo pipefail`, JavaScript as an ES module run by this Node, Python with
 * the repository's `bentoo` SDK importable. The outcome is a value; the caller
 * decides what fails.
 */

/** The origin every example on the site uses; the site swaps in the reader's own, this runner the test server's. */
export const PLACEHOLDER_ORIGIN = "https://bentoo.example.com";

export const REPOSITORY_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const PYTHON_SDK_SOURCE = join(REPOSITORY_ROOT, "sdk-python", "src");

/** Bytes of output kept (the last ones): enough to show a failure, bounded for a chatty example. */
const OUTPUT_LIMIT = 64 * 1024;

const INTERPRETERS: Record<RunnableLanguage, { extension: string; command: (file: string) => [string, string[]] }> = {
  bash: { extension: ".sh", command: (file) => ["bash", ["-euo", "pipefail", file]] },
  js: { extension: ".mjs", command: (file) => [process.execPath, [file]] },
  python: { extension: ".py", command: (file) => ["python3", [file]] },
};

export interface ExampleOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** stdout and stderr, interleaved as they arrived (the last 64 KiB). */
  output: string;
}

export interface RunOptions {
  /**
   * Where the example's file is written and run. It must lie inside the repository
   * (a gitignored folder) so that Node resolves `import "openai"` and the other
   * packages from the repository's node_modules.
   */
  directory: string;
  /** The test server's origin, e.g. `http://127.0.0.1:41234`. */
  origin: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** The example's code as it runs: the placeholder origin replaced by the server's. */
export function prepareCode(example: RunnableExample, origin: string): string {
  return example.code.replaceAll(PLACEHOLDER_ORIGIN, origin);
}

/**
 * The `curl` commands of a bash example that would exit 0 on an HTTP error: every
 * `curl` must carry `--fail-with-body`, so that a failing request fails the example
 * (and shows the error body). Commands continued with `\` count as one line.
 */
export function curlsWithoutFailWithBody(code: string): string[] {
  return code
    .replace(/\\\r?\n/g, " ")
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .filter((line) => (line.match(/(?:^|[\s;&|(`])curl(?=\s|$)/g) ?? []).length > (line.match(/--fail-with-body\b/g) ?? []).length)
    .map((line) => line.trim());
}

/**
 * The environment of an example: this process's, without Bentoo's, OpenAI's and
 * Anthropic's own settings (an example must name its server and key itself), plus
 * the key, the Python SDK on PYTHONPATH, and loopback kept away from any proxy.
 */
export function exampleEnvironment(apiKey: string): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(BENTOO|OPENAI|ANTHROPIC)_/.test(name));
  const pythonPath = [PYTHON_SDK_SOURCE, process.env.PYTHONPATH].filter((part) => part !== undefined && part !== "").join(":");
  return {
    ...Object.fromEntries(inherited),
    BENTOO_API_KEY: apiKey,
    PYTHONPATH: pythonPath,
    PYTHONDONTWRITEBYTECODE: "1",
    NO_PROXY: "127.0.0.1,localhost,::1",
    no_proxy: "127.0.0.1,localhost,::1",
  };
}

/** Writes the example to `options.directory` and runs it to its end, or kills it (and what it started) after `timeoutMs`. */
export async function runExample(example: RunnableExample, index: number, options: RunOptions): Promise<ExampleOutcome> {
  const interpreter = INTERPRETERS[example.language];
  const file = join(options.directory, `example-${index}${interpreter.extension}`);
  writeFileSync(file, prepareCode(example, options.origin));
  const [command, args] = interpreter.command(file);
  // Its own process group, so that a timeout also ends the curl a bash example started.
  const child = spawn(command, args, { cwd: options.directory, env: options.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2 * OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, options.timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, closeSignal) => resolve([code, closeSignal]));
  }).finally(() => clearTimeout(timer));
  return { exitCode, signal, timedOut, output: output.slice(-OUTPUT_LIMIT) };
}

/** A report of a failed example: where it is, how it ended, the code that ran (numbered) and what it printed. */
export function describeFailure(example: RunnableExample, code: string, outcome: ExampleOutcome): string {
  const ending = outcome.timedOut
    ? "was killed after its timeout"
    : outcome.signal !== null
      ? `ended with ${outcome.signal}`
      : `exited with code ${outcome.exitCode}`;
  const numbered = code
    .trimEnd()
    .split("\n")
    .map((line, at) => `${String(at + 1).padStart(3)} | ${line}`)
    .join("\n");
  return `The ${example.language} example at ${example.page}:${example.line} ${ending}.\n--- code ---\n${numbered}\n--- output ---\n${outcome.output || "(none)"}`;
}

/**
 * Runs an example and judges it: null when it passed, else the report of why not.
 * A bash example with a `curl` that lacks `--fail-with-body` fails without running:
 * its HTTP errors would pass unnoticed.
 */
export async function checkExample(example: RunnableExample, index: number, options: RunOptions): Promise<string | null> {
  const code = prepareCode(example, options.origin);
  if (example.language === "bash") {
    const unchecked = curlsWithoutFailWithBody(code);
    if (unchecked.length > 0)
      return `The bash example at ${example.page}:${example.line} has a curl without --fail-with-body, so an HTTP error would not fail it:\n  ${unchecked.join("\n  ")}`;
  }
  const outcome = await runExample(example, index, options);
  return outcome.exitCode === 0 && !outcome.timedOut ? null : describeFailure(example, code, outcome);
}
