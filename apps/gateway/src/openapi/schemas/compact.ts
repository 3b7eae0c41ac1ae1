import { type Static, type TSchema, type TUnsafe, Type } from "@sinclair/typebox";

/**
 * Building blocks for request schemas that compile small. Every model route
 * validates each request's body (validation.ts says why a small validator
 * matters), so its schema names one `type` list where a value may take several
 * types, and one `enum` where it takes one of several strings, rather than an
 * `anyOf` of a branch per type or per literal.
 */

/**
 * `schema` (of one `type`) or null, as one `type` list rather than Nullable's
 * `anyOf`: one check, a validator that stays small, and an error that reads
 * "must be an integer or null". An `enum` gets null too.
 */
export function OrNull<T extends TSchema>(schema: T, options: Record<string, unknown> = {}): TUnsafe<Static<T> | null> {
  // String keys only: TypeBox's symbols describe the schema it was, not this one.
  const plain: Record<string, unknown> = Object.fromEntries(Object.entries(schema));
  if (typeof plain.type !== "string") throw new Error("OrNull takes a schema of one type.");
  const nullable: Record<string, unknown> = { ...plain, ...options, type: [plain.type, "null"] };
  if (Array.isArray(plain.enum)) nullable.enum = [...plain.enum, null];
  return Type.Unsafe<Static<T> | null>(nullable);
}

/** A string of one of `values`, as one `enum` (a union of literals would be an `anyOf` with a worse error). */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}
