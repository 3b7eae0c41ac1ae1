import { type Static, type TSchema, type TUnsafe, Type } from "@sinclair/typebox";

/**
 * Request-schema pieces that compile to small, fast validators, for the model
 * routes that validate every request: a closed list of strings as one `enum`,
 * and a value or null as one `type` list rather than an `anyOf` (validation.ts
 * says why that matters). A wrong value reads "must be one of …" or "must be
 * an integer or null", naming what to send.
 */

/** A string from a closed list, as one `enum` keyword (a union of literals would report its first branch only). */
export function StringEnum<const T extends string>(values: readonly T[], options: Record<string, unknown> = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: "string", enum: [...values] });
}

/** `schema` (of one `type`) or null, as one `type` list; an `enum` gets null too. */
export function OrNull<T extends TSchema>(schema: T, options: Record<string, unknown> = {}): TUnsafe<Static<T> | null> {
  // String keys only: TypeBox's symbols describe the schema it was, not this one.
  const plain: Record<string, unknown> = Object.fromEntries(Object.entries(schema));
  if (typeof plain.type !== "string") throw new Error("OrNull takes a schema of one type.");
  const nullable: Record<string, unknown> = { ...plain, ...options, type: [plain.type, "null"] };
  if (Array.isArray(plain.enum)) nullable.enum = [...plain.enum, null];
  return Type.Unsafe<Static<T> | null>(nullable);
}
