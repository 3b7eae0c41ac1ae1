// The SDK keeps its own copies of the gateway's JSON shapes (it has no dependencies);
// these compile-time checks fail when a copy drifts from the gateway's definition,
// @bentoo/api-types. They are checked by `tsc -p tsconfig.json` (build.test.ts); at
// run time they are no-ops.
import type { AuditRecordJson, KeyInfoJson, ListJson, ModelJson, ModelListJson } from "@bentoo/api-types";
import { describe, expectTypeOf, it } from "vitest";
import type { AuditRecord, CursorPageBody, KeyInfo, Model, ModelList } from "../src/index.js";

/** The members a type declares, without its index signature (`[field: string]: unknown` lets callers read members the SDK does not know yet). */
type Declared<T> = { [Member in keyof T as string extends Member ? never : Member]: T[Member] };
/** Each assignable to the other: the same members, each of a compatible type, optional in both or in neither. */
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe("the SDK's response types match the gateway's", () => {
  it("models", () => {
    expectTypeOf<MutuallyAssignable<Declared<Model>, ModelJson>>().toEqualTypeOf<true>();
    expectTypeOf<MutuallyAssignable<Omit<ModelList, "data">, Omit<ModelListJson, "data">>>().toEqualTypeOf<true>();
  });

  it("GET /v1/key", () => {
    expectTypeOf<MutuallyAssignable<Declared<KeyInfo>, KeyInfoJson>>().toEqualTypeOf<true>();
  });

  it("audit records and their pages", () => {
    expectTypeOf<MutuallyAssignable<Declared<AuditRecord>, AuditRecordJson>>().toEqualTypeOf<true>();
    expectTypeOf<MutuallyAssignable<CursorPageBody<AuditRecordJson>, ListJson<AuditRecordJson>>>().toEqualTypeOf<true>();
  });

  it("would notice a drift (the check itself)", () => {
    expectTypeOf<MutuallyAssignable<Declared<Omit<Model, "available">>, ModelJson>>().toEqualTypeOf<false>();
    expectTypeOf<MutuallyAssignable<Declared<Model & { extra: string }>, ModelJson>>().toEqualTypeOf<false>();
    expectTypeOf<
      MutuallyAssignable<Declared<Omit<AuditRecord, "metadata"> & { metadata?: AuditRecord["metadata"] }>, AuditRecordJson>
    >().toEqualTypeOf<false>();
  });
});
