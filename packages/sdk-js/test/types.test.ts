// Compile-time contract of the public types. These assertions are checked by
// `tsc -p tsconfig.json` (run by build.test.ts); at run time they are no-ops.
import { describe, expectTypeOf, it } from "vitest";
import Bentoo, { type AuditRecord, type ChatCompletion, type ChatCompletionChunk, type Page, type Stream } from "../src/index.js";
import { makeKey } from "./helpers.js";

describe("public types", () => {
  const client = new Bentoo({ apiKey: makeKey(), baseURL: "http://127.0.0.1:1/v1" });
  const messages = [{ role: "user" as const, content: "Hello" }];

  it("types create() by the stream flag", () => {
    const create = client.chat.completions.create.bind(client.chat.completions);
    expectTypeOf(create({ model: "m", messages }).catch(() => undefined as never)).toEqualTypeOf<Promise<ChatCompletion>>();
    expectTypeOf(create({ model: "m", messages, stream: true }).catch(() => undefined as never)).toEqualTypeOf<Promise<Stream<ChatCompletionChunk>>>();
    const flag = Math.random() > 2;
    expectTypeOf(create({ model: "m", messages, stream: flag }).catch(() => undefined as never)).toEqualTypeOf<
      Promise<Stream<ChatCompletionChunk> | ChatCompletion>
    >();
  });

  it("accepts pass-through fields and rejects wrong known fields", () => {
    const params = { model: "m", messages, provider: { order: ["openai"] }, temperature: 0.1 };
    expectTypeOf(params).toMatchTypeOf<Parameters<typeof client.chat.completions.create>[0]>();
    // @ts-expect-error temperature is a number
    const wrong: Parameters<typeof client.chat.completions.create>[0] = { model: "m", messages, temperature: "hot" };
    void wrong;
    // @ts-expect-error a role must be one of OpenAI's
    const badRole: Parameters<typeof client.chat.completions.create>[0] = { model: "m", messages: [{ role: "robot", content: "x" }] };
    void badRole;
  });

  it("types usage with Bentoo's cost fields", () => {
    expectTypeOf<NonNullable<ChatCompletion["usage"]>["cost_micros"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<NonNullable<ChatCompletion["usage"]>["estimated"]>().toEqualTypeOf<boolean | undefined>();
  });

  it("types audit pagination", () => {
    const pages = client.audit.logs.list({ start: new Date(), end: "2025-01-01T00:00:00Z" });
    pages.catch(() => undefined);
    expectTypeOf(pages).toMatchTypeOf<PromiseLike<Page<AuditRecord>>>();
    expectTypeOf(pages).toMatchTypeOf<AsyncIterable<AuditRecord>>();
    // @ts-expect-error format is required for export
    void client.audit.logs.export({}).catch(() => undefined);
  });
});
