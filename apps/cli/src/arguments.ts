import { InvalidArgumentError } from "commander";
import type { GraceSeconds, KeyScope, SpendPeriod } from "./admin-client.js";
import { UsageError } from "./context.js";

/**
 * Parsers for option and argument values. Each throws commander's
 * InvalidArgumentError, so a bad value is a usage error (exit 2) reported with the
 * option it came from. Commander replaces a parser's null result with "" (an
 * option given without a value), so a parser whose answer may be null is wrapped
 * in an object where commander sees it; see `boxed`.
 */

/** Wraps a parser whose answer may be null, so commander passes the null on. */
export function boxed<T>(parse: (text: string) => T): (text: string) => { value: T } {
  return (text) => ({ value: parse(text) });
}

const MICROS_PER_USD = 1_000_000n;
/** The admin API accepts credit grants up to ±10^15 micro-dollars ($1 billion). */
const MAX_GRANT_MICROS = 1_000_000_000_000_000n;
const USD = /^(-?)(\d*)(?:\.(\d*))?$/;

function grantAmount(micros: bigint, text: string): number {
  if (micros === 0n) throw new InvalidArgumentError("The amount must not be zero.");
  if (micros > MAX_GRANT_MICROS || micros < -MAX_GRANT_MICROS) throw new InvalidArgumentError(`${text} is more than a grant may be ($1,000,000,000).`);
  return Number(micros);
}

/**
 * A USD decimal string to integer micro-dollars, with integer arithmetic only:
 * "12.50" → 12500000, "0.000001" → 1. More than 6 decimals is refused rather than
 * rounded, since 1 micro-dollar is the smallest amount Bentoo accounts.
 */
export function parseUsd(text: string): number {
  return grantAmount(usdMicros(text), text);
}

function usdMicros(text: string): bigint {
  const match = USD.exec(text.trim());
  const whole = match?.[2] ?? "";
  const fraction = match?.[3] ?? "";
  if (match === null || whole + fraction === "") throw new InvalidArgumentError("Give a USD amount such as 12.50.");
  if (fraction.length > 6) throw new InvalidArgumentError("USD amounts have at most 6 decimals (the smallest unit is $0.000001); or give --micros.");
  const magnitude = BigInt(whole === "" ? "0" : whole) * MICROS_PER_USD + BigInt(fraction.padEnd(6, "0"));
  return match[1] === "-" ? -magnitude : magnitude;
}

/** An integer number of micro-dollars (1 USD = 1000000). */
export function parseMicros(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError("Give a whole number of micro-dollars, e.g. 12500000 for $12.50.");
  return grantAmount(BigInt(text.trim()), text);
}

function positiveInteger(text: string, max: number): number | null {
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= max ? value : null;
}

/** A page size for list commands: 1 to 1000, as the admin API allows. */
export function parsePageSize(text: string): number {
  const value = positiveInteger(text, 1000);
  if (value === null) throw new InvalidArgumentError("Give a whole number from 1 to 1000.");
  return value;
}

/** A rate limit: a positive integer, or "default" for the plan's (sent as null). */
export function parseLimit(text: string): number | null {
  if (text === "default") return null;
  const value = positiveInteger(text, Number.MAX_SAFE_INTEGER);
  if (value === null) throw new InvalidArgumentError('Give a positive whole number, or "default" for the plan\'s limit.');
  return value;
}

const GRACE_NAMES: Readonly<Record<string, GraceSeconds>> = {
  none: 0,
  "1h": 3600,
  "24h": 86_400,
  "7d": 7 * 86_400,
  "until-revoked": null,
};

/** How long the old key keeps working after a roll (the dashboard's choices, or seconds). */
export function parseGrace(text: string): GraceSeconds {
  if (Object.hasOwn(GRACE_NAMES, text)) return GRACE_NAMES[text] ?? null;
  if (/^\d+$/.test(text)) return Number(text);
  throw new InvalidArgumentError(`Give one of ${Object.keys(GRACE_NAMES).join(", ")}, or a number of seconds.`);
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp with a time zone, e.g. 2027-01-31T00:00:00Z; passed on as written. */
export function parseTimestamp(text: string): string {
  if (!RFC_3339.test(text) || Number.isNaN(Date.parse(text)))
    throw new InvalidArgumentError("Give an RFC 3339 timestamp with a time zone, such as 2027-01-31T00:00:00Z.");
  return text;
}

/** A key's own rate limit: a positive integer, or "none" to remove it (sent as null: the account's applies). */
export function parseKeyLimit(text: string): number | null {
  if (text === "none") return null;
  const value = positiveInteger(text, 1_000_000_000);
  if (value === null) throw new InvalidArgumentError('Give a whole number from 1 to 1000000000, or "none" to remove the key\'s own limit.');
  return value;
}

const SCOPES: readonly KeyScope[] = ["inference", "audit:read", "key:read"];

/** Comma-separated scopes, e.g. inference,key:read. */
export function parseScopes(text: string): KeyScope[] {
  const scopes = text.split(",").map((scope) => scope.trim());
  for (const scope of scopes) {
    if (!(SCOPES as readonly string[]).includes(scope)) throw new InvalidArgumentError(`Give scopes from ${SCOPES.join(", ")}, separated by commas.`);
  }
  return scopes as KeyScope[];
}

/** Comma-separated model ids and patterns (anthropic/*), or "all" (sent as null: every model). */
export function parseModels(text: string): string[] | null {
  if (text === "all") return null;
  const models = text
    .split(",")
    .map((model) => model.trim())
    .filter((model) => model !== "");
  if (models.length === 0) throw new InvalidArgumentError('Give model ids or patterns such as anthropic/*, separated by commas, or "all".');
  return models;
}

const PERIODS: readonly SpendPeriod[] = ["day", "week", "month", "total"];

/** "<usd>/<period>" (20/month, 5.50/day, 100/total), or "none" to remove the cap. */
export function parseSpendCap(text: string): { amount_micros: number; period: SpendPeriod } | null {
  if (text === "none") return null;
  const slash = text.lastIndexOf("/");
  const period = text.slice(slash + 1) as SpendPeriod;
  if (slash === -1 || !PERIODS.includes(period))
    throw new InvalidArgumentError(`Give a cap as <usd>/<period>, e.g. 20/month, with a period from ${PERIODS.join(", ")}; or "none".`);
  const amount = usdMicros(text.slice(0, slash));
  if (amount < 0n || amount > MAX_GRANT_MICROS) throw new InvalidArgumentError("A spend cap is from $0 to $1,000,000,000.");
  return { amount_micros: Number(amount), period };
}

/** The entries of `set-allowlist`, or null for `--clear`: exactly one of the two (the server normalizes and checks the entries). */
export function allowlistFrom(entries: readonly string[], clear: boolean | undefined): string[] | null {
  if (clear === true && entries.length > 0) throw new UsageError("give IP addresses and CIDR blocks, or --clear, not both.");
  if (clear === true) return null;
  if (entries.length === 0) throw new UsageError("give one or more IP addresses or CIDR blocks (e.g. 203.0.113.0/24), or --clear to remove the allowlist.");
  return [...entries];
}
