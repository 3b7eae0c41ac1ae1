/**
 * The admin API's JSON shapes (PRODUCT.md §7), with the field names of the wire,
 * and the parsers that check a response before the CLI trusts it. A parser keeps
 * the object it was given (fields it does not know included), so `--json` can print
 * exactly what the server sent.
 */

export interface AccountJson {
  id: string;
  object: "account";
  email: string;
  plan: string;
  /** null = the plan's default. */
  rpm_limit: number | null;
  tpm_limit: number | null;
  balance_micros: number;
  ip_allowlist: string[] | null;
  created_at: string;
}

export interface ApiKeyJson {
  id: string;
  object: "api_key";
  /** The key ID users see: the last 4 characters of the key. */
  key_id: string;
  name: string;
  mode: string;
  status: string;
  account_id: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  rolled_from: string | null;
  ip_allowlist: string[] | null;
}

/** A key right after creation: the only shape that carries the full secret. */
export interface IssuedKeyJson extends ApiKeyJson {
  key: string;
}

export interface RolledKeyJson extends IssuedKeyJson {
  previous_key: ApiKeyJson;
}

export interface ListJson<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface CreditGrantJson {
  object: "credit_grant";
  account_id: string;
  amount_micros: number;
  balance_micros: number;
}

export interface ErrorEnvelopeJson {
  error: { message: string; type: string; param: string | null; code: string };
}

/** Thrown when a response does not have the shape this CLI was written against. */
export class UnexpectedShapeError extends Error {
  override readonly name = "UnexpectedShapeError";
}

type FieldKind = "string" | "string|null" | "integer" | "integer|null" | "boolean" | "strings|null";
type Shape = Record<string, FieldKind>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fits(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case "string":
      return typeof value === "string";
    case "string|null":
      return value === null || typeof value === "string";
    case "integer":
      return Number.isSafeInteger(value);
    case "integer|null":
      return value === null || Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "strings|null":
      return value === null || (Array.isArray(value) && value.every((item) => typeof item === "string"));
  }
}

function check(value: unknown, object: string | null, shape: Shape): Record<string, unknown> {
  const what = object ?? "response";
  if (!isObject(value)) throw new UnexpectedShapeError(`expected a JSON object (${what})`);
  if (object !== null && value.object !== object) throw new UnexpectedShapeError(`expected object "${object}", got ${JSON.stringify(value.object)}`);
  for (const [field, kind] of Object.entries(shape)) {
    if (!fits(value[field], kind)) throw new UnexpectedShapeError(`${what}.${field} should be ${kind}`);
  }
  return value;
}

const ACCOUNT: Shape = {
  id: "string",
  email: "string",
  plan: "string",
  rpm_limit: "integer|null",
  tpm_limit: "integer|null",
  balance_micros: "integer",
  ip_allowlist: "strings|null",
  created_at: "string",
};

const API_KEY: Shape = {
  id: "string",
  key_id: "string",
  name: "string",
  mode: "string",
  status: "string",
  account_id: "string",
  created_at: "string",
  last_used_at: "string|null",
  expires_at: "string|null",
  revoked_at: "string|null",
  rolled_from: "string|null",
  ip_allowlist: "strings|null",
};

// Each parser has checked every field its type declares, which is what makes the casts sound.
export function parseAccount(value: unknown): AccountJson {
  return check(value, "account", ACCOUNT) as unknown as AccountJson;
}

export function parseApiKey(value: unknown): ApiKeyJson {
  return check(value, "api_key", API_KEY) as unknown as ApiKeyJson;
}

export function parseIssuedKey(value: unknown): IssuedKeyJson {
  return check(parseApiKey(value), "api_key", { key: "string" }) as unknown as IssuedKeyJson;
}

export function parseRolledKey(value: unknown): RolledKeyJson {
  const issued = parseIssuedKey(value);
  parseApiKey((issued as unknown as Record<string, unknown>).previous_key);
  return issued as RolledKeyJson;
}

export function parseCreditGrant(value: unknown): CreditGrantJson {
  return check(value, "credit_grant", { account_id: "string", amount_micros: "integer", balance_micros: "integer" }) as unknown as CreditGrantJson;
}

export function listParser<T>(item: (value: unknown) => T): (value: unknown) => ListJson<T> {
  return (value) => {
    const list = check(value, "list", { has_more: "boolean", next_cursor: "string|null" });
    if (!Array.isArray(list.data)) throw new UnexpectedShapeError("list.data should be an array");
    list.data.forEach(item);
    return list as unknown as ListJson<T>;
  };
}

/** The OpenAI-style error envelope, or null when the body is something else. */
export function parseErrorEnvelope(value: unknown): ErrorEnvelopeJson | null {
  if (!isObject(value) || !isObject(value.error)) return null;
  const { message, code } = value.error;
  if (typeof message !== "string" || typeof code !== "string") return null;
  return value as unknown as ErrorEnvelopeJson;
}
