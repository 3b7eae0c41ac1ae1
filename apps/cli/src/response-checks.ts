import type { AccountJson, ApiKeyJson, CreditGrantJson, ErrorEnvelopeJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";

/**
 * Checks of the admin API's answers (shapes from @bentoo/api-types) before the
 * CLI trusts them, so a wrong server (another program on the port, a proxy's
 * error page, a gateway of another version) is reported as such instead of
 * printing `undefined`. A check keeps the object it was given, unknown members
 * included, so `--json` prints exactly what the server sent.
 */

/** Thrown when a response does not have the shape this CLI was written against. */
export class UnexpectedShapeError extends Error {
  override readonly name = "UnexpectedShapeError";
}

interface FieldCheck {
  /** For the error message: "a string", "null or an integer"… */
  readonly expected: string;
  test(value: unknown): boolean;
}

/** One check per member of T, no more and no fewer: a change to the shared type fails to compile until this follows. */
type Shape<T> = { readonly [Member in keyof T]-?: FieldCheck };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const text: FieldCheck = { expected: "a string", test: (value) => typeof value === "string" };
const integer: FieldCheck = { expected: "an integer", test: (value) => Number.isSafeInteger(value) };
const flag: FieldCheck = { expected: "true or false", test: (value) => typeof value === "boolean" };
const texts: FieldCheck = { expected: "a list of strings", test: (value) => Array.isArray(value) && value.every((item) => typeof item === "string") };

function nullOr(check: FieldCheck): FieldCheck {
  return { expected: `null or ${check.expected}`, test: (value) => value === null || check.test(value) };
}

function oneOf(...allowed: readonly string[]): FieldCheck {
  return {
    expected: `one of ${allowed.map((item) => JSON.stringify(item)).join(", ")}`,
    test: (value) => typeof value === "string" && allowed.includes(value),
  };
}

function assertShape<T>(value: unknown, shape: Shape<T>, what: string): asserts value is T {
  if (!isObject(value)) throw new UnexpectedShapeError(`expected a JSON object (${what})`);
  for (const [member, check] of Object.entries<FieldCheck>(shape)) {
    if (!check.test(value[member])) throw new UnexpectedShapeError(`${what}.${member} should be ${check.expected}`);
  }
}

/** A parser from a shape: the value itself, now known to be a T. */
function parser<T>(shape: Shape<T>, what: string): (value: unknown) => T {
  return (value) => {
    assertShape(value, shape, what);
    return value;
  };
}

/** A member that is itself checked by `parse` (which throws with its own message). */
function checkedBy(parse: (value: unknown) => unknown, expected: string): FieldCheck {
  return {
    expected,
    test: (value) => {
      parse(value);
      return true;
    },
  };
}

const ACCOUNT: Shape<AccountJson> = {
  id: text,
  object: oneOf("account"),
  email: text,
  plan: oneOf("free", "pro", "enterprise"),
  rpm_limit: nullOr(integer),
  tpm_limit: nullOr(integer),
  balance_micros: integer,
  ip_allowlist: nullOr(texts),
  low_balance_threshold_micros: nullOr(integer),
  created_at: text,
};

const API_KEY: Shape<ApiKeyJson> = {
  id: text,
  object: oneOf("api_key"),
  key_id: text,
  name: text,
  mode: oneOf("live", "test"),
  status: oneOf("active", "revoked", "expired"),
  account_id: text,
  created_at: text,
  last_used_at: nullOr(text),
  expires_at: nullOr(text),
  revoked_at: nullOr(text),
  rolled_from: nullOr(text),
  ip_allowlist: nullOr(texts),
};

const ISSUED_KEY: Shape<IssuedKeyJson> = { ...API_KEY, key: text };

export const parseAccount = parser(ACCOUNT, "account");
export const parseApiKey = parser(API_KEY, "api_key");
export const parseIssuedKey = parser(ISSUED_KEY, "api_key");
export const parseRolledKey = parser<RolledKeyJson>({ ...ISSUED_KEY, previous_key: checkedBy(parseApiKey, "an api_key") }, "api_key");
export const parseCreditGrant = parser<CreditGrantJson>(
  { object: oneOf("credit_grant"), account_id: text, amount_micros: integer, balance_micros: integer },
  "credit_grant",
);

/** A page of a list whose items each pass `item`. */
export function listParser<Item>(item: (value: unknown) => Item): (value: unknown) => ListJson<Item> {
  const items = checkedBy((value) => {
    if (!Array.isArray(value)) throw new UnexpectedShapeError("list.data should be a list");
    value.forEach(item);
  }, "a list");
  return parser<ListJson<Item>>({ object: oneOf("list"), data: items, has_more: flag, next_cursor: nullOr(text) }, "list");
}

const ERROR: Shape<ErrorEnvelopeJson["error"]> = { message: text, type: text, param: nullOr(text), code: text };

/** Bentoo's error envelope (docs/errors.md), or null when the body is something else. */
export function parseErrorEnvelope(value: unknown): ErrorEnvelopeJson | null {
  try {
    return parser<ErrorEnvelopeJson>({ error: checkedBy(parser(ERROR, "error"), "an error object") }, "response")(value);
  } catch {
    return null;
  }
}
