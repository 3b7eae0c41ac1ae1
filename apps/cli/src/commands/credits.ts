import type { Command } from "commander";
import { parseMicros, parseUsd } from "../arguments.js";
import { type CliIo, invocation, UsageError } from "../context.js";
import { formatMicros } from "../format.js";

interface GrantOptions {
  usd?: number;
  micros?: number;
  allowNegative?: boolean;
}

/** `bentoo credits grant`: add to (or, with a negative amount, take from) an account's balance. */
export function registerCreditCommands(program: Command, io: CliIo): void {
  const credits = program.command("credits").description("manage account credit balances");

  credits
    .command("grant")
    .description("add credits to an account's balance (a negative amount debits it)")
    .argument("<account-id>", "the account's id (acct_…)")
    .option("--usd <amount>", "the amount in US dollars, up to 6 decimals, e.g. 12.50", parseUsd)
    .option("--micros <amount>", "the amount in micro-dollars (1 USD = 1000000)", parseMicros)
    .option("--allow-negative", "let a debit take the balance below zero (without it, a debit larger than the balance is refused)")
    .addHelpText(
      "after",
      "\nExactly one of --usd and --micros. Dollars are converted with integer arithmetic: 12.50 is 12500000 micro-dollars.\nA debit larger than the balance is refused (debit_exceeds_balance) unless --allow-negative is given.",
    )
    .action(async (accountId: string, options: GrantOptions, command: Command) => {
      if ((options.usd === undefined) === (options.micros === undefined))
        throw new UsageError("give exactly one of --usd (e.g. 12.50) and --micros (e.g. 12500000).");
      const amount = options.usd ?? options.micros ?? 0;
      const call = invocation(command, io);
      const grant = await call.client.credits.grant(accountId, amount, { allowNegative: options.allowNegative === true });
      call.emit(grant, () => {
        const verb = grant.amount_micros < 0 ? "Debited" : "Granted";
        return `${verb} ${formatMicros(Math.abs(grant.amount_micros))} ${grant.amount_micros < 0 ? "from" : "to"} ${grant.account_id}.\nNew balance: ${formatMicros(grant.balance_micros)}\n`;
      });
    });
}
