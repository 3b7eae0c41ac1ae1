import { CommanderError } from "commander";
import { AdminApiError, AdminConnectionError } from "./admin-client.js";
import { type CliIo, UsageError } from "./context.js";
import { buildProgram } from "./program.js";

/** Exit codes: 0 success, 1 the server (or the network) refused, 2 the CLI was called wrongly. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Runs one command line (without the `node bentoo` prefix) and resolves to its
 * exit code. The only place errors become output: `error: <message> (<code>)`.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  }
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message or the help text.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof AdminApiError || error instanceof AdminConnectionError) {
    io.stderr(`error: ${error.message} (${error.code})\n`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`error: unexpected failure: ${message}\n`);
  return EXIT_FAILURE;
}
