import { Command } from "commander";
import { registerAccountCommands } from "./commands/accounts.js";
import { registerCreditCommands } from "./commands/credits.js";
import { registerKeyCommands } from "./commands/keys.js";
import { type CliIo, DEFAULT_URL, TOKEN_VARIABLE, URL_ALIAS_VARIABLE, URL_VARIABLE } from "./context.js";

export const VERSION = "0.1.0";

/**
 * The commander wiring: global options and one noun per file under commands/.
 * Built afresh for every run, so nothing parsed in one run leaks into the next.
 * Errors are not printed or turned into exit codes here: run() does that in one place.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command("bentoo")
    .description("Operate a Bentoo gateway through its admin API.")
    .version(VERSION)
    .option("--url <url>", `the gateway's base URL (env ${URL_VARIABLE}, or its old name ${URL_ALIAS_VARIABLE}; default ${DEFAULT_URL})`)
    .option("--token <token>", `the operator token (env ${TOKEN_VARIABLE}; prefer the variable, so the token stays out of your shell history)`)
    .option("--json", "print the admin API's JSON instead of tables")
    // Inherited by every subcommand created below with .command().
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: (text, write) => write(text) })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError("(add --help for usage)");
  registerAccountCommands(program, io);
  registerCreditCommands(program, io);
  registerKeyCommands(program, io);
  return program;
}
