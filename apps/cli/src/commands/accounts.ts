import { Argument, type Command, Option } from "commander";
import { type AccountPatchInput, type CreateAccountInput, collectAll, type Plan } from "../admin-client.js";
import { allowlistFrom, boxed, parseLimit, parsePageSize } from "../arguments.js";
import { type CliIo, invocation, readProcessStdin, UsageError } from "../context.js";
import { accountBlock, accountsTable } from "../format.js";

const PLAN_CHOICES: readonly Plan[] = ["free", "pro", "enterprise"];

interface CreateOptions {
  email: string;
  plan?: Plan;
  passwordStdin?: boolean;
}

interface ListOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

interface LimitOptions {
  rpm?: { value: number | null };
  tpm?: { value: number | null };
}

/** `--password-stdin` reads the whole input; one trailing newline (from echo or a file) is not part of it. */
function passwordFrom(input: string): string {
  const password = input.replace(/\r?\n$/, "");
  if (password === "") throw new UsageError("--password-stdin read an empty password from standard input.");
  return password;
}

/** `bentoo accounts …`: create, list, get, set-plan, set-limits, set-allowlist. */
export function registerAccountCommands(program: Command, io: CliIo): void {
  const accounts = program.command("accounts").description("create and manage customer accounts");

  accounts
    .command("create")
    .description("create an account")
    .requiredOption("--email <email>", "the account's email address")
    .addOption(new Option("--plan <plan>", "the plan (the server's default is free)").choices(PLAN_CHOICES))
    .option("--password-stdin", "read a dashboard password from standard input")
    .action(async (options: CreateOptions, command: Command) => {
      const call = invocation(command, io);
      const input: CreateAccountInput = { email: options.email };
      if (options.plan !== undefined) input.plan = options.plan;
      if (options.passwordStdin === true) input.password = passwordFrom(await (io.readStdin ?? readProcessStdin)());
      const account = await call.client.accounts.create(input);
      call.emit(account, () => `Created account ${account.id}\n\n${accountBlock(account)}`);
    });

  accounts
    .command("list")
    .description("list accounts, oldest first")
    .option("--limit <n>", "accounts per page, 1 to 1000 (the server's default is 100)", parsePageSize)
    .option("--cursor <cursor>", "continue from a previous page's next_cursor")
    .option("--all", "follow the pages and list every account")
    .action(async (options: ListOptions, command: Command) => {
      const call = invocation(command, io);
      const pageSize = options.limit;
      const list =
        options.all === true
          ? await collectAll((cursor) => call.client.accounts.list({ limit: pageSize ?? 1000, cursor: cursor ?? options.cursor ?? null }))
          : await call.client.accounts.list({ limit: pageSize, cursor: options.cursor ?? null });
      call.emit(list, () => {
        if (list.data.length === 0) return "No accounts.\n";
        const more = list.has_more && list.next_cursor !== null ? `\nMore accounts: add --cursor ${list.next_cursor}, or --all.\n` : "";
        return accountsTable(list.data) + more;
      });
    });

  accounts
    .command("get")
    .description("show one account")
    .argument("<account-id>", "the account's id (acct_…)")
    .action(async (id: string, _options: object, command: Command) => {
      const call = invocation(command, io);
      const account = await call.client.accounts.get(id);
      call.emit(account, () => accountBlock(account));
    });

  accounts
    .command("set-plan")
    .description("move an account to another plan")
    .argument("<account-id>", "the account's id (acct_…)")
    .addArgument(new Argument("<plan>", "the new plan").choices(PLAN_CHOICES))
    .action(async (id: string, plan: Plan, _options: object, command: Command) => {
      const call = invocation(command, io);
      const account = await call.client.accounts.update(id, { plan });
      call.emit(account, () => `Account ${account.id} is now on the ${account.plan} plan.\n\n${accountBlock(account)}`);
    });

  accounts
    .command("set-limits")
    .description("override an account's rate limits (shared by all its keys)")
    .argument("<account-id>", "the account's id (acct_…)")
    .option("--rpm <n|default>", 'requests per minute, or "default" for the plan\'s', boxed(parseLimit))
    .option("--tpm <n|default>", 'tokens per minute, or "default" for the plan\'s', boxed(parseLimit))
    .action(async (id: string, options: LimitOptions, command: Command) => {
      const patch: AccountPatchInput = {};
      if (options.rpm !== undefined) patch.rpm_limit = options.rpm.value;
      if (options.tpm !== undefined) patch.tpm_limit = options.tpm.value;
      if (Object.keys(patch).length === 0) throw new UsageError('give --rpm, --tpm or both (a number, or "default" for the plan\'s limit).');
      const call = invocation(command, io);
      const account = await call.client.accounts.update(id, patch);
      call.emit(account, () => `Updated the limits of ${account.id}.\n\n${accountBlock(account)}`);
    });

  accounts
    .command("set-allowlist")
    .description("let the account's keys be used only from these source IPs (plans that allow it: Enterprise)")
    .argument("<account-id>", "the account's id (acct_…)")
    .argument("[entries...]", "IPv4/IPv6 addresses and CIDR blocks, e.g. 203.0.113.0/24 2001:db8::/48")
    .option("--clear", "remove the allowlist (allowed on every plan)")
    .action(async (id: string, entries: string[], options: { clear?: boolean }, command: Command) => {
      const ipAllowlist = allowlistFrom(entries, options.clear);
      const call = invocation(command, io);
      const account = await call.client.accounts.update(id, { ip_allowlist: ipAllowlist });
      call.emit(
        account,
        () => `${ipAllowlist === null ? "Removed the IP allowlist of" : "Set the IP allowlist of"} ${account.id}.\n\n${accountBlock(account)}`,
      );
    });
}
