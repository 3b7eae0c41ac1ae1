import { type SchemaOptions, type Static, type TObject, type TProperties, type TSchema, type TUnsafe, Type } from "@sinclair/typebox";
import { Nullable } from "../shared.js";

/**
 * Pieces the management surfaces share (the admin API, the Audit API and the
 * webhook routes): enumerations, cursor-paginated lists and their query
 * strings, and the hint of a strict body's unknown-member error.
 */

/** One of `values`, as JSON Schema's `enum` (what client generators turn into a union of literals). */
export function StringEnum<T extends string>(values: readonly T[], options: SchemaOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ ...options, type: "string", enum: [...values] });
}

/** A page of a cursor-paginated list, `ListJson<Item>` in @bentoo/api-types. */
export function ListOf<T extends TSchema>(item: T, title: string, description: string) {
  return Type.Object(
    {
      object: Type.Literal("list"),
      data: Type.Array(item),
      has_more: Type.Boolean({ description: "Whether another page follows." }),
      next_cursor: Nullable(Type.String(), { description: "Pass as `cursor` for the next page; null on the last one." }),
    },
    { title, description },
  );
}

/** `limit` (1 to `max`, default `fallback`) and `cursor`: how a cursor-paginated list is read. */
function pageProperties(max: number, fallback: number) {
  return {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: max,
        default: fallback,
        description: `Items per page, 1 to ${max}; never clamped.`,
        "x-error-hint": `Send an integer from 1 to ${max}.`,
      }),
    ),
    cursor: Type.Optional(Type.String({ description: "`next_cursor` of the previous page, unchanged; leave it out for the first page." })),
  };
}

/**
 * The query string of a cursor-paginated list, with `more` members. An empty
 * value (`?limit=`) reads as absent (see `dropEmptyQueryValues`), so `limit`
 * falls back to its default.
 */
export function PageQuery<P extends TProperties>(max: number, fallback: number, more: P = {} as P) {
  return Type.Object({ ...pageProperties(max, fallback), ...more });
}

/** A query string as its schema leaves it: the members `K` with a default are always there. */
export type Defaulted<T, K extends keyof T> = T & Required<Pick<T, K>>;

/** A list's query string as `PageQuery` leaves it. */
export type PageQueryJson = Defaulted<Static<TObject<ReturnType<typeof pageProperties>>>, "limit">;

/**
 * "This endpoint accepts: a, b." — what a strict body's unknown-member error
 * adds, worded as the handlers' parsers word it (`rejectUnknownMembers`); `where`
 * names a nested object.
 */
export function acceptsHint(properties: TProperties, where = "This endpoint"): string {
  return `${where} accepts: ${Object.keys(properties).join(", ")}.`;
}

/** A strict body: exactly `properties`, an unknown member being a 400 that names it and lists the others. */
export function StrictObject<P extends TProperties>(properties: P, options: SchemaOptions = {}): TObject<P> {
  return Type.Object(properties, { ...options, additionalProperties: false, "x-error-hint": acceptsHint(properties) });
}
