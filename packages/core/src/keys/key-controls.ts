import { BentooError } from "../errors.js";

/**
 * What a key may do beyond "belongs to its account" (PRODUCT.md §7): its
 * scopes, its own rate limits, a spend cap per period, the models it may call,
 * and its expiry (on the key record itself). Everything here is pure: the
 * gateway enforces it from the cached key, admission holds the cap.
 */

/** Permissions a key can carry: `inference` (every model surface and `/v1/models`), `audit:read` (the Audit API), `key:read` (`/v1/key`). */
export const KEY_SCOPES = ["inference", "audit:read", "key:read"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** New keys get these unless the request names others: `audit:read` is chosen explicitly, since the audit log holds every request's source address. */
export const DEFAULT_KEY_SCOPES: readonly KeyScope[] = ["inference", "key:read"];

export function isKeyScope(value: unknown): value is KeyScope {
  return typeof value === "string" && (KEY_SCOPES as readonly string[]).includes(value);
}

/** How often a spend cap starts again: each UTC calendar day, ISO week (from Monday), calendar month, or never (`total`). */
export const SPEND_PERIODS = ["day", "week", "month", "total"] as const;
export type SpendPeriod = (typeof SPEND_PERIODS)[number];

/** At most `amountMicros` of charges per period, counted over the key and the keys it was rolled from or into. */
export interface SpendCap {
  amountMicros: number;
  period: SpendPeriod;
}

/** The stretch of time a spend cap counts over: [start, end), end null for `total`. */
export interface SpendWindow {
  start: number;
  end: number | null;
}

const DAY_MS = 86_400_000;

/**
 * The period that `at` falls in, in UTC: a request counts in the period it was
 * admitted in (its hold is taken there), whenever it finishes.
 */
export function spendWindow(period: SpendPeriod, at: number): SpendWindow {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const dayStart = Date.UTC(year, month, date.getUTCDate());
  switch (period) {
    case "day":
      return { start: dayStart, end: dayStart + DAY_MS };
    case "week": {
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const start = dayStart - ((date.getUTCDay() + 6) % 7) * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case "month":
      return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
    case "total":
      return { start: 0, end: null };
  }
}

/** The longest model pattern, and the most patterns a key may list. */
export const MAX_MODEL_PATTERN_LENGTH = 200;
export const MAX_MODEL_PATTERNS = 100;

/**
 * Whether a key's model list lets it call `modelId`: null allows every model;
 * otherwise one pattern must match, either the exact id or, for a pattern that
 * ends in `*`, every id that starts with what comes before it (`anthropic/*`,
 * `openai/gpt-6*`, `*`).
 */
export function modelAllowed(patterns: readonly string[] | null, modelId: string): boolean {
  if (patterns === null) return true;
  for (const pattern of patterns) {
    if (pattern.endsWith("*") ? modelId.startsWith(pattern.slice(0, -1)) : modelId === pattern) return true;
  }
  return false;
}

/**
 * Checks a model list as given: 1 to MAX_MODEL_PATTERNS patterns, each a
 * model id or a prefix ending in a single trailing `*`. Duplicates are dropped.
 */
export function normalizeModelPatterns(patterns: readonly string[]): string[] {
  if (patterns.length === 0)
    throw new BentooError("invalid_request", "models must list at least one model or pattern such as anthropic/*; send null to allow every model.", {
      param: "models",
    });
  if (patterns.length > MAX_MODEL_PATTERNS)
    throw new BentooError("invalid_request", `models may list at most ${MAX_MODEL_PATTERNS} patterns.`, { param: "models" });
  const normalized: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.trim();
    const star = pattern.indexOf("*");
    if (pattern === "" || pattern.length > MAX_MODEL_PATTERN_LENGTH || (star !== -1 && star !== pattern.length - 1) || /\s/.test(pattern)) {
      throw new BentooError(
        "invalid_request",
        `models: "${pattern.slice(0, 80)}" is not a model id or pattern. Use ids from GET /v1/models, or a prefix ending in * such as anthropic/*.`,
        { param: "models" },
      );
    }
    if (!normalized.includes(pattern)) normalized.push(pattern);
  }
  return normalized;
}

/** The scopes as given: known names, at least one, each once, in the catalogue's order. */
export function normalizeScopes(scopes: readonly string[]): KeyScope[] {
  for (const scope of scopes) {
    if (!isKeyScope(scope))
      throw new BentooError("invalid_request", `scopes: "${scope.slice(0, 40)}" is not a scope; use any of ${KEY_SCOPES.join(", ")}.`, { param: "scopes" });
  }
  if (scopes.length === 0) throw new BentooError("invalid_request", `scopes must name at least one of ${KEY_SCOPES.join(", ")}.`, { param: "scopes" });
  return KEY_SCOPES.filter((scope) => scopes.includes(scope));
}

/** The per-key controls a key is created or changed with; an absent member is left as it is (at creation: the default). */
export interface KeyControls {
  scopes?: readonly KeyScope[];
  /** null: no limit of its own (the account's applies). */
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  /** null: no cap (the account's balance still applies). */
  spendCap?: SpendCap | null;
  /** null: every model. */
  models?: readonly string[] | null;
}

/** Whether a key has controls admission must apply to it (its own limits or a cap): keys without them cost admission nothing extra. */
export function hasAdmissionControls(key: { rpmLimit: number | null; tpmLimit: number | null; spendCap: SpendCap | null }): boolean {
  return key.rpmLimit !== null || key.tpmLimit !== null || key.spendCap !== null;
}

/** What the audit log records of a key's controls (the metadata of `key.created` and `key.controls_changed`); `expires_at` in epoch ms, as `key.created` has always carried it. */
export function controlsMetadata(controls: KeyControls & { expiresAt?: number | null }): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (controls.scopes !== undefined) metadata.scopes = controls.scopes;
  if (controls.rpmLimit !== undefined) metadata.rpm_limit = controls.rpmLimit;
  if (controls.tpmLimit !== undefined) metadata.tpm_limit = controls.tpmLimit;
  if (controls.spendCap !== undefined)
    metadata.spend_cap = controls.spendCap === null ? null : { amount_micros: controls.spendCap.amountMicros, period: controls.spendCap.period };
  if (controls.models !== undefined) metadata.models = controls.models;
  if (controls.expiresAt !== undefined) metadata.expires_at = controls.expiresAt;
  return metadata;
}
