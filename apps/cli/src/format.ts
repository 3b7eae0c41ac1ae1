import type { AccountJson, ApiKeyJson } from "@bentoo/api-types";

/** Readable output: aligned tables, key/value blocks, money and times. */

const MICROS_PER_USD = 1_000_000;

/** Integer micro-dollars as dollars with all six decimals: 12500000 → "$12.500000". */
export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const dollars = Math.floor(abs / MICROS_PER_USD);
  const rest = String(abs % MICROS_PER_USD).padStart(6, "0");
  return `${sign}$${dollars}.${rest}`;
}

/** A key is only ever shown by its key ID (its last 4 characters). */
export function maskedKeyId(keyId: string): string {
  return `••••${keyId}`;
}

/** RFC 3339 without milliseconds; `empty` for null. */
export function formatTime(iso: string | null, empty = "-"): string {
  if (iso === null) return empty;
  return iso.replace(/\.\d+Z$/, "Z");
}

/** Columns padded to their widest cell, two spaces apart; no trailing spaces. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd();
  const lines = [line(headers), ...rows.map(line)];
  return `${lines.join("\n")}\n`;
}

/** Labels padded to the longest one, values after them. */
export function keyValueBlock(entries: readonly (readonly [string, string])[]): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  const lines = entries.map(([label, value]) => `${label.padEnd(width)}  ${value}`.trimEnd());
  return `${lines.join("\n")}\n`;
}

function limit(value: number | null, unit: string): string {
  return value === null ? "plan default" : `${value} ${unit}`;
}

function keyLimit(value: number | null, unit: string): string {
  return value === null ? "account's" : `${value} ${unit}`;
}

function spendCap(cap: ApiKeyJson["spend_cap"]): string {
  if (cap === null) return "none";
  return `${formatMicros(cap.amount_micros)} ${cap.period === "total" ? "in total" : `per ${cap.period}`}`;
}

function allowlist(entries: string[] | null): string {
  return entries === null || entries.length === 0 ? "any IP" : entries.join(", ");
}

export function accountBlock(account: AccountJson): string {
  return keyValueBlock([
    ["id", account.id],
    ["email", account.email],
    ["plan", account.plan],
    ["rpm limit", limit(account.rpm_limit, "requests/min")],
    ["tpm limit", limit(account.tpm_limit, "tokens/min")],
    ["balance", formatMicros(account.balance_micros)],
    ["ip allowlist", allowlist(account.ip_allowlist)],
    ["created", formatTime(account.created_at)],
  ]);
}

export function accountsTable(accounts: readonly AccountJson[]): string {
  return table(
    ["ID", "EMAIL", "PLAN", "BALANCE", "CREATED"],
    accounts.map((account) => [account.id, account.email, account.plan, formatMicros(account.balance_micros), formatTime(account.created_at)]),
  );
}

export function keyBlock(key: ApiKeyJson): string {
  return keyValueBlock([
    ["id", key.id],
    ["name", key.name],
    ["key id", maskedKeyId(key.key_id)],
    ["mode", key.mode],
    ["status", key.status],
    ["account", key.account_id],
    ["created", formatTime(key.created_at)],
    ["last used", formatTime(key.last_used_at, "never")],
    ["expires", formatTime(key.expires_at, "never")],
    ["revoked", formatTime(key.revoked_at)],
    ["rolled from", key.rolled_from ?? "-"],
    ["ip allowlist", allowlist(key.ip_allowlist)],
    ["scopes", key.scopes.join(", ")],
    ["rpm limit", keyLimit(key.rpm_limit, "requests/min")],
    ["tpm limit", keyLimit(key.tpm_limit, "tokens/min")],
    ["spend cap", spendCap(key.spend_cap)],
    ["models", key.models === null ? "all" : key.models.join(", ")],
  ]);
}

export function keysTable(keys: readonly ApiKeyJson[]): string {
  return table(
    ["ID", "NAME", "KEY", "MODE", "STATUS", "CREATED", "LAST USED"],
    keys.map((key) => [key.id, key.name, maskedKeyId(key.key_id), key.mode, key.status, formatTime(key.created_at), formatTime(key.last_used_at, "never")]),
  );
}
