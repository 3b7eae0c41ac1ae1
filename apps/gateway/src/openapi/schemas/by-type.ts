import { type TSchema, Type } from "@sinclair/typebox";

/**
 * Tagged unions for request bodies: a JSON object whose `type` member says
 * which shape it has (a content block, an input item, a tool). Each listed
 * type's shape applies through `if`/`then` rather than `anyOf`, for two
 * reasons: Ajv checks only the matching shape (one comparison per listed
 * type, no branch tried and thrown away), and a client reads that shape's own
 * error (`messages[0].content[1].source.data is required`) instead of the
 * first branch's or "matches none of the shapes". A type that is not listed
 * passes, for the handler or the provider to judge.
 */

/** One case: the shape `then` applies when `type` is one of `tags` (a null tag also matches an absent `type`). */
export interface TypeCase {
  tags: readonly (string | null)[];
  then: TSchema;
}

/** A case for one type; `orAbsent`: an object without `type` has this shape too (the API's default). */
export function whenType(tag: string, then: TSchema, orAbsent = false): TypeCase {
  return { tags: orAbsent ? [tag, null] : [tag], then };
}

function condition(tags: readonly (string | null)[]): Record<string, unknown> {
  // `properties` holds when `type` is absent, so a case that takes an absent type needs no `required`;
  // and it holds for a value that is no object at all, which the object's own `type` refuses instead.
  const type = tags.length === 1 ? { const: tags[0] } : { enum: [...tags] };
  return tags.includes(null) ? { type: "object", properties: { type } } : { type: "object", properties: { type }, required: ["type"] };
}

/**
 * An object of `properties` (those every shape shares, `type` among them),
 * checked further by the case its `type` names. `options` carries the
 * description (which should name the shapes: they are named components) and
 * anything else the object schema takes.
 */
export function byType(properties: Record<string, TSchema>, cases: readonly TypeCase[], options: Record<string, unknown> = {}) {
  return Type.Object(properties, { ...options, allOf: cases.map(({ tags, then }) => ({ if: condition(tags), then })) });
}

/** A string of one of `values`, as one `enum` (a union of literals would be an `anyOf` with a worse error). */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...options });
}
