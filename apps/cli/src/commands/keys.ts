import type { ApiKeyJson, IssuedKeyJson } from "@bentoo/api-types";
import { type Command, Option } from "commander";
import { type CreateKeyInput, collectAll, type GraceSeconds, type KeyControlsInput, type KeyMode, type KeyPatchInput, type KeyScope } from "../admin-client.js";
import { allowlistFrom, boxed, parseGrace, parseKeyLimit, parseModels, parsePageSize, parseScopes, parseSpendCap, parseTimestamp } from "../arguments.js";
import { type CliIo, invocation, UsageError } from "../context.js";
import { formatTime, keyBlock, keysTable, maskedKeyId } from "../format.js";

/** The control options of `keys create` and `keys update`; nullable ones come boxed (see `boxed`). */
interface ControlOptions {
  scopes?: KeyScope[];
  rpm?: { value: number | null };
  tpm?: { value: number | null };
  spendCap?: { value: KeyControlsInput["spend_cap"] };
  models?: { value: string[] | null };
}

interface CreateOptions extends ControlOptions {
  name: string;
  mode: KeyMode;
  expiresAt?: string;
}

/** The options given, as the admin API's members. */
function controlsFrom(options: ControlOptions): KeyControlsInput {
  const controls: KeyControlsInput = {};
  if (options.scopes !== undefined) controls.scopes = options.scopes;
  if (options.rpm !== undefined) controls.rpm_limit = options.rpm.value;
  if (options.tpm !== undefined) controls.tpm_limit = options.tpm.value;
  if (options.spendCap !== undefined) controls.spend_cap = options.spendCap.value;
  if (options.models !== undefined) controls.models = options.models.value;
  return controls;
}

/** The options that set a key's controls, on `create` and `update`. */
function addControlOptions(command: Command): Command {
  return command
    .option("--scopes <scopes>", "what the key may do, comma-separated: inference, audit:read, key:read (default inference,key:read)", parseScopes)
    .option("--rpm <n>", "the key's own requests per minute, under its account's; \"none\" removes it", boxed(parseKeyLimit))
    .option("--tpm <n>", "the key's own tokens per minute, under its account's; \"none\" removes it", boxed(parseKeyLimit))
    .option("--spend-cap <usd/period>", 'most the key may spend per day, week, month or in total, e.g. 20/month; "none" removes it', boxed(parseSpendCap))
    .option("--models <patterns>", 'models the key may call, comma-separated ids or patterns like anthropic/*; "all" removes the list', boxed(parseModels));
}

interface ListOptions {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** The one place a full key is printed: right after it was created or rolled. */
function secretNotice(issued: IssuedKeyJson): string {
  return [
    "",
    `    ${issued.key}`,
    "",
    "Copy this key now: it will not be shown again. Bentoo stores only its hash;",
    `from now on the key is shown as ${maskedKeyId(issued.key_id)}. If it is lost, roll it.`,
    "",
    "",
  ].join("\n");
}

function previousKeyFate(previous: ApiKeyJson): string {
  const label = `The previous key ${maskedKeyId(previous.key_id)} (${previous.id})`;
  if (previous.status !== "active") return `${label} is ${previous.status} and no longer works.\n`;
  if (previous.expires_at !== null) return `${label} keeps working until ${formatTime(previous.expires_at)}.\n`;
  return `${label} keeps working until you revoke it: bentoo keys revoke ${previous.id}\n`;
}

/** An expiry to set, or "never" to remove it. */
function parseExpiry(text: string): string | null {
  return text === "never" ? null : parseTimestamp(text);
}

/** `bentoo keys …`: create, list, get, rename, update, set-allowlist, revoke, roll. */
export function registerKeyCommands(program: Command, io: CliIo): void {
  const keys = program.command("keys").description("create and manage an account's API keys");

  addControlOptions(
    keys
      .command("create")
      .description("create an API key; the full key is printed once")
      .argument("<account-id>", "the account that owns the key (acct_…)")
      .requiredOption("--name <name>", 'a descriptive name, e.g. "production-webapp"')
      .addOption(new Option("--mode <mode>", "live keys reach real providers; test keys use the sandbox").choices(["live", "test"]).default("live"))
      .option("--expires-at <timestamp>", "when the key stops working (RFC 3339, e.g. 2027-01-31T00:00:00Z)", parseTimestamp),
  ).action(async (accountId: string, options: CreateOptions, command: Command) => {
    const call = invocation(command, io);
    const input: CreateKeyInput = { name: options.name, mode: options.mode, ...controlsFrom(options) };
    if (options.expiresAt !== undefined) input.expires_at = options.expiresAt;
    const issued = await call.client.keys.create(accountId, input);
    call.emit(issued, () => `Created ${issued.mode} key "${issued.name}" (${issued.id}) for ${issued.account_id}:\n${secretNotice(issued)}${keyBlock(issued)}`);
  });

  keys
    .command("list")
    .description("list an account's keys (never their secrets)")
    .argument("<account-id>", "the account's id (acct_…)")
    .option("--limit <n>", "keys per page, 1 to 1000 (the server's default is 100)", parsePageSize)
    .option("--cursor <cursor>", "continue from a previous page's next_cursor")
    .option("--all", "follow the pages and list every key")
    .action(async (accountId: string, options: ListOptions, command: Command) => {
      const call = invocation(command, io);
      const list =
        options.all === true
          ? await collectAll((cursor) => call.client.keys.list(accountId, { limit: options.limit ?? 1000, cursor: cursor ?? options.cursor ?? null }))
          : await call.client.keys.list(accountId, { limit: options.limit, cursor: options.cursor ?? null });
      call.emit(list, () => {
        if (list.data.length === 0) return `No keys on ${accountId}.\n`;
        const more = list.has_more && list.next_cursor !== null ? `\nMore keys: add --cursor ${list.next_cursor}, or --all.\n` : "";
        return keysTable(list.data) + more;
      });
    });

  keys
    .command("get")
    .description("show one key")
    .argument("<key-id>", "the key's id (key_…)")
    .action(async (keyId: string, _options: object, command: Command) => {
      const call = invocation(command, io);
      const key = await call.client.keys.get(keyId);
      call.emit(key, () => keyBlock(key));
    });

  keys
    .command("rename")
    .description("give a key a new name")
    .argument("<key-id>", "the key's id (key_…)")
    .argument("<name>", "the new name")
    .action(async (keyId: string, name: string, _options: object, command: Command) => {
      const call = invocation(command, io);
      const key = await call.client.keys.update(keyId, { name });
      call.emit(key, () => `Renamed ${key.id} (${maskedKeyId(key.key_id)}) to "${key.name}".\n`);
    });

  addControlOptions(
    keys
      .command("update")
      .description("change a key's scopes, own rate limits, spend cap, models or expiry; every instance applies it at once")
      .argument("<key-id>", "the key's id (key_…)")
      .option("--expires-at <timestamp>", 'when the key stops working (RFC 3339); "never" removes the expiry', boxed(parseExpiry)),
  ).action(async (keyId: string, options: ControlOptions & { expiresAt?: { value: string | null } }, command: Command) => {
    const patch: KeyPatchInput = controlsFrom(options);
    if (options.expiresAt !== undefined) patch.expires_at = options.expiresAt.value;
    const call = invocation(command, io);
    if (Object.keys(patch).length === 0) throw new UsageError("give at least one of --scopes, --rpm, --tpm, --spend-cap, --models, --expires-at.");
    const key = await call.client.keys.update(keyId, patch);
    call.emit(key, () => `Updated ${key.id} (${maskedKeyId(key.key_id)}).\n\n${keyBlock(key)}`);
  });

  keys
    .command("set-allowlist")
    .description("let the key be used only from these source IPs (plans that allow it: Enterprise)")
    .argument("<key-id>", "the key's id (key_…)")
    .argument("[entries...]", "IPv4/IPv6 addresses and CIDR blocks, e.g. 203.0.113.0/24 2001:db8::/48")
    .option("--clear", "remove the allowlist (allowed on every plan)")
    .action(async (keyId: string, entries: string[], options: { clear?: boolean }, command: Command) => {
      const ipAllowlist = allowlistFrom(entries, options.clear);
      const call = invocation(command, io);
      const key = await call.client.keys.update(keyId, { ip_allowlist: ipAllowlist });
      call.emit(
        key,
        () => `${ipAllowlist === null ? "Removed the IP allowlist of" : "Set the IP allowlist of"} ${key.id} (${maskedKeyId(key.key_id)}).\n\n${keyBlock(key)}`,
      );
    });

  keys
    .command("revoke")
    .description("revoke a key: its next request gets 401")
    .argument("<key-id>", "the key's id (key_…)")
    .action(async (keyId: string, _options: object, command: Command) => {
      const call = invocation(command, io);
      const key = await call.client.keys.revoke(keyId);
      call.emit(key, () => `Revoked ${key.id} "${key.name}" (${maskedKeyId(key.key_id)}) at ${formatTime(key.revoked_at)}.\n`);
    });

  keys
    .command("roll")
    .description("replace a key with a new one (same name and settings); the full new key is printed once")
    .argument("<key-id>", "the key's id (key_…)")
    .requiredOption("--grace <period>", "how long the old key keeps working: none, 1h, 24h, 7d, until-revoked, or seconds", boxed(parseGrace))
    .action(async (keyId: string, options: { grace: { value: GraceSeconds } }, command: Command) => {
      const call = invocation(command, io);
      const rolled = await call.client.keys.roll(keyId, options.grace.value);
      call.emit(
        rolled,
        () => `Rolled ${rolled.previous_key.id} into ${rolled.id} "${rolled.name}":\n${secretNotice(rolled)}${previousKeyFate(rolled.previous_key)}`,
      );
    });
}
