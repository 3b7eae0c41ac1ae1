import { type Static, type TSchema, type TUnsafe, Type } from "@sinclair/typebox";

/**
 * `schema` (of one `type`) or null, as one `type` list rather than Nullable's
 * `anyOf`: one check, a validator that stays small (validation.ts says why
 * that matters on the model routes, which validate every request), and an
 * error that reads "must be an integer or null". An `enum` gets null too.
 */
export function OrNull<T extends TSchema>(schema: T, options: Record<string, unknown> = {}): TUnsafe<Static<T> | null> {
  // String keys only: TypeBox's symbols describe the schema it was, not this one.
  const plain: Record<string, unknown> = Object.fromEntries(Object.entries(schema));
  if (typeof plain.type !== "string") throw new Error("OrNull takes a schema of one type.");
  const nullable: Record<string, unknown> = { ...plain, ...options, type: [plain.type, "null"] };
  if (Array.isArray(plain.enum)) nullable.enum = [...plain.enum, null];
  return Type.Unsafe<Static<T> | null>(nullable);
}
