import { parseCatalog } from "@bentoo/core";
import { countTokens } from "@bentoo/providers";
import { FAKE_OPENAI_DIMENSIONS, type FakeGemini, type FakeUpstream, fakeValues, normalised, startFakeGemini, startFakeUpstream } from "@bentoo/test-kit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, bearer, createTestApp, type TestApp } from "./helpers.js";

const UPSTREAM_KEY = "sk-upstream-embeddings-0123456789";
const GEMINI_KEY = "AIza-fake-gemini-key-embeddings";
/** 100 micro-dollars per input token on every embedding model: the charge shows every token. */
const INPUT_MICROS = 100;

function embeddingCatalog(openai: FakeUpstream, gemini: FakeGemini) {
  const embedding = { kind: "embedding", input_price_per_mtok: INPUT_MICROS, context_length: 8191, dimensions: 16, min_dimensions: 4 };
  return parseCatalog({
    providers: [
      { id: "openai", type: "openai", base_url: openai.url, api_key_env: "OPENAI_KEY", max_retries: 0 },
      { id: "google", type: "gemini", base_url: gemini.url, api_key_env: "GEMINI_KEY", max_retries: 0 },
    ],
    models: [
      { id: "fake/embed", provider: "openai", upstream_model: "fake-embed", ...embedding },
      { id: "fake/embed-fixed", provider: "openai", upstream_model: "fake-embed", ...embedding, min_dimensions: null },
      { id: "fake/embed-no-usage", provider: "openai", upstream_model: "fake-no-usage", ...embedding },
      { id: "fake/embed-small", provider: "openai", upstream_model: "fake-embed", ...embedding, context_length: 8 },
      { id: "fake/embed-slow", provider: "openai", upstream_model: "fake-slow", ...embedding },
      {
        id: "google/embed",
        provider: "google",
        upstream_model: "gemini-embedding-001",
        ...embedding,
        context_length: 2048,
        dimensions: 3072,
        min_dimensions: 128,
      },
      {
        id: "mixed/embed",
        providers: [
          { provider: "openai", upstream_model: "fake-error-503" },
          { provider: "google", upstream_model: "gemini-embedding-001" },
        ],
        ...embedding,
        dimensions: 3072,
        min_dimensions: 128,
      },
      { id: "fake/chat", provider: "openai", upstream_model: "fake-model", input_price_per_mtok: 1, output_price_per_mtok: 1, context_length: 8192 },
    ],
  });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += a[index]! * b[index]!;
  return sum;
};
const decodeFloat32 = (base64: string) => {
  const bytes = Buffer.from(base64, "base64");
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
};
type EmbeddingsUsage = OpenAI.CreateEmbeddingResponse.Usage & { cost_micros: number; estimated?: boolean };

describe("POST /v1/embeddings (official openai SDK)", () => {
  let openai: FakeUpstream;
  let gemini: FakeGemini;
  let t: TestApp;
  let baseURL: string;
  let test: OpenAI;
  let live: OpenAI;
  let liveKey: string;
  let liveAccount: string;
  let testKey: string;
  const GRANTED = 1_000_000_000;

  beforeAll(async () => {
    openai = await startFakeUpstream({ apiKey: UPSTREAM_KEY });
    gemini = await startFakeGemini({ apiKey: GEMINI_KEY });
    t = await createTestApp({ catalog: embeddingCatalog(openai, gemini), credentials: { OPENAI_KEY: UPSTREAM_KEY, GEMINI_KEY } });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    baseURL = `http://127.0.0.1:${address.port}/v1`;
    testKey = (await t.seedAccount({ mode: "test" })).key;
    test = new OpenAI({ apiKey: testKey, baseURL, maxRetries: 0 });
    const seeded = await t.seedAccount({ mode: "live", balanceMicros: GRANTED });
    liveKey = seeded.key;
    liveAccount = seeded.account.id;
    live = new OpenAI({ apiKey: liveKey, baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
    await openai?.close();
    await gemini?.close();
  });

  async function requestRecords(accountId: string) {
    await t.services.records.flush();
    const found = [];
    for await (const record of t.services.storage.audit.iterate({ accountId, type: "request" })) found.push(record);
    return found;
  }

  async function balance(accountId: string) {
    await t.services.records.flush();
    return (await t.services.storage.accounts.get(accountId))!.balanceMicros;
  }

  it("GET /v1/models shows each model's kind, and an embedding model's vector sizes and input price", async () => {
    const embed = await test.models.retrieve("fake/embed");
    expect(embed).toMatchObject({ kind: "embedding", dimensions: 16, min_dimensions: 4, max_output_tokens: null, context_length: 8191 });
    expect((embed as unknown as { pricing: unknown }).pricing).toEqual({ currency: "USD", input_per_mtok: INPUT_MICROS, output_per_mtok: 0 });
    expect(await test.models.retrieve("fake/embed-fixed")).toMatchObject({ kind: "embedding", dimensions: 16, min_dimensions: null });
    const chat = await test.models.retrieve("fake/chat");
    expect(chat).toMatchObject({ kind: "chat", dimensions: null, min_dimensions: null });
  });

  describe("test keys: the sandbox's deterministic vectors", () => {
    it("float vectors: unit length, the model's length, the same text the same vector, real token counts", async () => {
      const texts = ["The cat sat on the mat", "The cat sat on the mat", "A cat was sitting on a mat", "Quarterly revenue grew by twelve percent"];
      const answer = await test.embeddings.create({ model: "fake/embed", input: texts, encoding_format: "float" });
      expect(answer.object).toBe("list");
      expect(answer.model).toBe("fake/embed");
      expect(answer.data.map((entry) => [entry.object, entry.index])).toEqual(texts.map((_, index) => ["embedding", index]));
      const vectors = answer.data.map((entry) => entry.embedding);
      for (const vector of vectors) {
        expect(vector).toHaveLength(16);
        expect(dot(vector, vector)).toBeCloseTo(1, 5);
      }
      expect(vectors[1]).toEqual(vectors[0]);
      expect(vectors[2]).not.toEqual(vectors[0]);
      const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
      expect(answer.usage).toMatchObject({ prompt_tokens: tokens, total_tokens: tokens, cost_micros: 0 });
    });

    it("at a full length: unrelated texts nearly orthogonal, texts sharing words measurably closer", async () => {
      const input = ["The cat sat on the mat", "A cat was sitting on a mat", "Quarterly revenue grew by twelve percent", "alpha bravo charlie"];
      const answer = await test.embeddings.create({ model: "google/embed", input, encoding_format: "float" });
      const [cat, sittingCat, revenue, alpha] = answer.data.map((entry) => entry.embedding);
      expect(cat).toHaveLength(3072);
      for (const unrelated of [dot(cat!, revenue!), dot(cat!, alpha!), dot(revenue!, alpha!)]) expect(Math.abs(unrelated)).toBeLessThan(0.1);
      expect(dot(cat!, sittingCat!)).toBeGreaterThan(0.25);
    });

    it("base64: the SDK's default decodes to the float vectors; asked for explicitly, it is float32 bytes", async () => {
      const input = ["hello world", "bentoo gateway"];
      const floats = (await test.embeddings.create({ model: "fake/embed", input, encoding_format: "float" })).data.map((entry) => entry.embedding);
      // No encoding_format: openai-node asks for base64 and decodes it into floats.
      const decoded = (await test.embeddings.create({ model: "fake/embed", input })).data.map((entry) => Array.from(entry.embedding));
      expect(decoded).toEqual(floats);
      const raw = await test.embeddings.create({ model: "fake/embed", input, encoding_format: "base64" });
      expect(typeof raw.data[0]!.embedding).toBe("string");
      expect(raw.data.map((entry) => decodeFloat32(entry.embedding as unknown as string))).toEqual(floats);
    });

    it("dimensions: honoured within the catalog's range, refused outside it and on a model that cannot shorten", async () => {
      const short = await test.embeddings.create({ model: "fake/embed", input: "shorten me", dimensions: 4, encoding_format: "float" });
      expect(short.data[0]!.embedding).toHaveLength(4);
      expect(dot(short.data[0]!.embedding, short.data[0]!.embedding)).toBeCloseTo(1, 5);
      const tooShort = await test.embeddings.create({ model: "fake/embed", input: "x", dimensions: 3 }).catch((error: unknown) => error);
      expect(tooShort).toBeInstanceOf(OpenAI.BadRequestError);
      expect((tooShort as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("dimensions");
      expect((tooShort as Error).message).toContain("from 4 to 16");
      const fixed = await test.embeddings.create({ model: "fake/embed-fixed", input: "x", dimensions: 8 }).catch((error: unknown) => error);
      expect(fixed).toBeInstanceOf(OpenAI.BadRequestError);
      expect((fixed as Error).message).toContain("cannot shorten");
    });

    it("Bentoo-Simulate fails an embeddings request as the live path would", async () => {
      const cases: Array<[string, number, string]> = [
        ["rate_limit", 429, "rate_limit_exceeded"],
        ["insufficient_credits", 402, "insufficient_credits"],
        ["upstream_error", 502, "upstream_error"],
        ["upstream_timeout", 504, "upstream_timeout"],
        ["overloaded", 503, "upstream_unavailable"],
      ];
      for (const [failure, status, code] of cases) {
        const raised = await test.embeddings
          .create({ model: "fake/embed", input: "x" }, { headers: { "Bentoo-Simulate": failure } })
          .catch((error: unknown) => error);
        expect(raised).toBeInstanceOf(status === 429 ? OpenAI.RateLimitError : OpenAI.APIError);
        expect([failure, (raised as InstanceType<typeof OpenAI.APIError>).status, (raised as InstanceType<typeof OpenAI.APIError>).code]).toEqual([
          failure,
          status,
          code,
        ]);
      }
    });

    it("token-id inputs: one list, or a list of lists", async () => {
      const one = await test.embeddings.create({ model: "fake/embed", input: [1, 2, 3], encoding_format: "float" });
      expect(one.data).toHaveLength(1);
      expect(one.usage.prompt_tokens).toBe(3);
      const two = await test.embeddings.create({
        model: "fake/embed",
        input: [
          [1, 2, 3],
          [4, 5],
        ],
        encoding_format: "float",
      });
      expect(two.data).toHaveLength(2);
      expect(two.usage.prompt_tokens).toBe(5);
      expect(two.data[0]!.embedding).toEqual(one.data[0]!.embedding);
    });
  });

  describe("bad requests: a 400 naming what to change", () => {
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ["no input", { model: "fake/embed" }, "input", "input is required"],
      ["an empty string", { model: "fake/embed", input: "" }, "input", "empty string"],
      ["an empty string in a list", { model: "fake/embed", input: ["a", ""] }, "input", "input[1] is an empty string"],
      ["an empty list", { model: "fake/embed", input: [] }, "input", "empty list"],
      ["an empty token list", { model: "fake/embed", input: [[1], []] }, "input", "input[1] is an empty list of token ids"],
      ["a mixed list", { model: "fake/embed", input: ["a", 3] }, "input", "input[1] is neither"],
      ["a negative token id", { model: "fake/embed", input: [1, -2] }, "input", "token ids"],
      ["2,049 inputs", { model: "fake/embed", input: Array.from({ length: 2049 }, () => "x") }, "input", "at most 2048"],
      [
        "an input over the model's context",
        { model: "fake/embed-small", input: ["short", "one two three four five six seven eight nine ten"] },
        "input",
        "input[1] is",
      ],
      ["an unknown encoding", { model: "fake/embed", input: "x", encoding_format: "int8" }, "encoding_format", "float, base64"],
      ["a fractional dimensions", { model: "fake/embed", input: "x", dimensions: 4.5 }, "dimensions", "integer"],
    ];
    it.each(cases)("%s", async (_name, body, param, message) => {
      const response = await t.app.inject({ method: "POST", url: "/v1/embeddings", headers: bearer(liveKey), payload: body });
      expect(response.statusCode).toBe(400);
      const error = response.json().error;
      expect(error.param).toBe(param);
      expect(error.message).toContain(message);
      expect(response.headers["x-request-id"]).toMatch(/^req_/);
    });

    it("2,048 inputs are accepted", async () => {
      const answer = await test.embeddings.create({ model: "fake/embed", input: Array.from({ length: 2048 }, (_, index) => `text ${index}`) });
      expect(answer.data).toHaveLength(2048);
    });

    it("a chat model on /v1/embeddings names /v1/chat/completions; an embedding model on /v1/chat/completions names /v1/embeddings", async () => {
      const chat = await t.app.inject({ method: "POST", url: "/v1/embeddings", headers: bearer(liveKey), payload: { model: "fake/chat", input: "x" } });
      expect(chat.statusCode).toBe(400);
      expect(chat.json().error).toMatchObject({ code: "model_kind_mismatch", param: "model", type: "invalid_request_error" });
      expect(chat.json().error.message).toContain("POST /v1/chat/completions");
      const embed = await t.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: bearer(liveKey),
        payload: { model: "fake/embed", messages: [{ role: "user", content: "x" }] },
      });
      expect(embed.statusCode).toBe(400);
      expect(embed.json().error).toMatchObject({ code: "model_kind_mismatch", param: "model" });
      expect(embed.json().error.message).toContain("POST /v1/embeddings");
    });
  });

  describe("live keys: an OpenAI-type provider (passthrough)", () => {
    it("forwards the body with the upstream model, answers the upstream's vectors, charges the reported usage exactly, one audit record", async () => {
      const before = await balance(liveAccount);
      const sentBefore = openai.requests.length;
      const input = ["one two three", "four five"];
      const answer = await live.embeddings.create({ model: "fake/embed", input, encoding_format: "float", user: "user-42", dimensions: 8 });
      const sent = openai.requests.slice(sentBefore);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.path).toBe("/v1/embeddings");
      expect(sent[0]!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
      expect(sent[0]!.body).toEqual({ model: "fake-embed", input, encoding_format: "float", user: "user-42", dimensions: 8 });
      expect(answer.model).toBe("fake/embed");
      expect(answer.data.map((entry) => entry.embedding)).toEqual(input.map((text) => normalised(fakeValues(text, 8))));
      // The fake counts words: 3 + 2.
      const usage = answer.usage as EmbeddingsUsage;
      expect(usage).toMatchObject({ prompt_tokens: 5, total_tokens: 5, cost_micros: 5 * INPUT_MICROS });
      expect(usage.estimated).toBeUndefined();
      expect(before - (await balance(liveAccount))).toBe(5 * INPUT_MICROS);
      const record = (await requestRecords(liveAccount)).at(-1)!;
      expect(record).toMatchObject({
        model: "fake/embed",
        provider: "openai",
        status: 200,
        promptTokens: 5,
        completionTokens: 0,
        totalTokens: 5,
        costMicros: 500,
      });
      expect(record).toMatchObject({ endpoint: "/v1/embeddings", metadata: { path: "/v1/embeddings" } });
    });

    it("base64 passes through as the upstream's bytes, untouched", async () => {
      const response = await fetch(`${baseURL}/embeddings`, {
        method: "POST",
        headers: { ...bearer(liveKey), "content-type": "application/json" },
        body: JSON.stringify({ model: "fake/embed", input: ["bytes please"], encoding_format: "base64" }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: Array<{ embedding: string }> };
      const expected = Buffer.alloc(FAKE_OPENAI_DIMENSIONS * 4);
      normalised(fakeValues("bytes please", FAKE_OPENAI_DIMENSIONS)).forEach((value, index) => {
        expected.writeFloatLE(value, index * 4);
      });
      expect(body.data[0]!.embedding).toBe(expected.toString("base64"));
    });

    it("the SDK's default (base64, decoded by the SDK) through the passthrough", async () => {
      const answer = await live.embeddings.create({ model: "fake/embed", input: "decode me" });
      const expected = normalised(fakeValues("decode me", FAKE_OPENAI_DIMENSIONS));
      Array.from(answer.data[0]!.embedding).forEach((value, index) => {
        expect(value).toBeCloseTo(expected[index]!, 6);
      });
    });

    it("an upstream that reports no usage: Bentoo counts the inputs, marks the usage estimated and charges that", async () => {
      const before = await balance(liveAccount);
      const input = ["count these words myself"];
      const answer = await live.embeddings.create({ model: "fake/embed-no-usage", input, encoding_format: "float" });
      const tokens = countTokens(input[0]!);
      expect(answer.usage).toMatchObject({ prompt_tokens: tokens, total_tokens: tokens, cost_micros: tokens * INPUT_MICROS, estimated: true });
      expect(before - (await balance(liveAccount))).toBe(tokens * INPUT_MICROS);
      expect((await requestRecords(liveAccount)).at(-1)).toMatchObject({ usageEstimated: true, costMicros: tokens * INPUT_MICROS });
    });

    it("a client that leaves while the provider works: one audit record (499), nothing charged", async () => {
      const before = await balance(liveAccount);
      const records = (await requestRecords(liveAccount)).length;
      const arrived = openai.requests.length;
      const controller = new AbortController();
      const sent = fetch(`${baseURL}/embeddings`, {
        method: "POST",
        headers: { ...bearer(liveKey), "content-type": "application/json" },
        body: JSON.stringify({ model: "fake/embed-slow", input: "never mind" }),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await openai.arrived(arrived + 1);
      controller.abort();
      expect(await sent).toBeInstanceOf(Error);
      const found = await vi.waitFor(async () => {
        const all = await requestRecords(liveAccount);
        if (all.length === records) throw new Error("no record yet");
        return all;
      });
      expect(found).toHaveLength(records + 1);
      expect(found.find((record) => record.model === "fake/embed-slow")).toMatchObject({ status: 499, errorCode: "client_closed_request", costMicros: 0 });
      expect(await balance(liveAccount)).toBe(before);
    });

    it("the hold is at the input price: a balance below it gets a 402 before any upstream call", async () => {
      const poor = await t.seedAccount({ mode: "live", balanceMicros: 50 });
      const sentBefore = openai.requests.length;
      const response = await t.app.inject({
        method: "POST",
        url: "/v1/embeddings",
        headers: bearer(poor.key),
        payload: { model: "fake/embed", input: "one two three" },
      });
      expect(response.statusCode).toBe(402);
      expect(response.json().error.code).toBe("insufficient_credits");
      expect(openai.requests.length).toBe(sentBefore);
    });

    it("the tokens-per-minute limit counts the input tokens (no output is reserved)", async () => {
      const limited = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
      const patched = await t.app.inject({
        method: "PATCH",
        url: `/admin/v1/accounts/${limited.account.id}`,
        headers: bearer(ADMIN_TOKEN),
        payload: { tpm_limit: 10 },
      });
      expect(patched.statusCode).toBe(200);
      const input = "one two three four";
      const ok = await t.app.inject({ method: "POST", url: "/v1/embeddings", headers: bearer(limited.key), payload: { model: "fake/embed", input } });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["x-ratelimit-limit-tokens"]).toBe("10");
      expect(Number(ok.headers["x-ratelimit-remaining-tokens"])).toBe(10 - countTokens(input));
      const tooLarge = await t.app.inject({
        method: "POST",
        url: "/v1/embeddings",
        headers: bearer(limited.key),
        payload: { model: "fake/embed", input: "one two three four five six seven eight nine ten eleven twelve" },
      });
      expect(tooLarge.statusCode).toBe(429);
      expect(tooLarge.json().error).toMatchObject({ param: "input" });
      expect(tooLarge.json().error.message).toContain("10 tokens per minute. Send fewer or shorter inputs.");
    });
  });

  describe("live keys: a native Gemini provider (batchEmbedContents)", () => {
    it("translates to batchEmbedContents and back; usage counted by Bentoo, marked estimated, charged exactly", async () => {
      const before = await balance(liveAccount);
      const sentBefore = gemini.requests.length;
      const input = ["first text to embed", "second text"];
      const answer = await live.embeddings.create({ model: "google/embed", input, encoding_format: "float" });
      const sent = gemini.requests.slice(sentBefore);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
      expect(sent[0]!.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
      expect(sent[0]!.body).toEqual({
        requests: input.map((text) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text }] } })),
      });
      expect(answer.model).toBe("google/embed");
      answer.data.forEach((entry, index) => {
        expect(entry.embedding).toHaveLength(3072);
        expect(entry.embedding).toEqual(normalised(fakeValues(input[index]!, 3072)));
      });
      const tokens = input.reduce((sum, text) => sum + countTokens(text), 0);
      expect(answer.usage).toMatchObject({ prompt_tokens: tokens, total_tokens: tokens, cost_micros: tokens * INPUT_MICROS, estimated: true });
      expect(before - (await balance(liveAccount))).toBe(tokens * INPUT_MICROS);
      expect((await requestRecords(liveAccount)).at(-1)).toMatchObject({
        model: "google/embed",
        provider: "google",
        status: 200,
        promptTokens: tokens,
        costMicros: tokens * INPUT_MICROS,
        usageEstimated: true,
      });
    });

    it("dimensions become outputDimensionality, and the shortened vectors come back at unit length; base64 encoded from the floats", async () => {
      const sentBefore = gemini.requests.length;
      const answer = await live.embeddings.create({ model: "google/embed", input: "shorter please", dimensions: 256, encoding_format: "base64" });
      expect((gemini.requests[sentBefore]!.body as { requests: Array<{ outputDimensionality: number }> }).requests[0]!.outputDimensionality).toBe(256);
      const vector = decodeFloat32(answer.data[0]!.embedding as unknown as string);
      expect(vector).toHaveLength(256);
      expect(dot(vector, vector)).toBeCloseTo(1, 5);
      // Gemini's shortened vector is the full one's prefix: the same direction once normalised.
      const expected = normalised(normalised(fakeValues("shorter please", 3072)).slice(0, 256));
      vector.forEach((value, index) => {
        expect(value).toBeCloseTo(expected[index]!, 6);
      });
    });

    it("more inputs than one batch takes go as several batches, in order", async () => {
      const sentBefore = gemini.requests.length;
      const input = Array.from({ length: 150 }, (_, index) => `text number ${index}`);
      const answer = await live.embeddings.create({ model: "google/embed", input, dimensions: 128, encoding_format: "float" });
      const sent = gemini.requests.slice(sentBefore) as Array<{ body: { requests: unknown[] } }>;
      expect(sent.map((request) => request.body.requests.length)).toEqual([100, 50]);
      expect(answer.data).toHaveLength(150);
      expect(answer.data[149]!.embedding).toEqual(normalised(normalised(fakeValues("text number 149", 3072)).slice(0, 128)));
    });

    it("token-id inputs cannot go to Gemini: a 400 naming input, no upstream call", async () => {
      const sentBefore = gemini.requests.length;
      const failure = await live.embeddings.create({ model: "google/embed", input: [[1, 2, 3]] }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
      expect((failure as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input");
      expect((failure as Error).message).toContain("token ids");
      expect(gemini.requests.length).toBe(sentBefore);
    });

    it("a failing route falls back to the next (an OpenAI-type 503, then Gemini)", async () => {
      const before = await balance(liveAccount);
      const answer = await live.embeddings.create({ model: "mixed/embed", input: "fall back", encoding_format: "float" });
      expect(answer.data[0]!.embedding).toHaveLength(3072);
      const tokens = countTokens("fall back");
      expect(before - (await balance(liveAccount))).toBe(tokens * INPUT_MICROS);
      expect((await requestRecords(liveAccount)).at(-1)).toMatchObject({ model: "mixed/embed", provider: "google", costMicros: tokens * INPUT_MICROS });
    });
  });

  it("every live request above left exactly one audit record, and the books balance", async () => {
    await t.services.records.flush();
    const audit = await requestRecords(liveAccount);
    const ledger = await t.services.storage.ledger.list(liveAccount, { limit: 1000 });
    const charges = ledger.filter((row) => row.kind === "charge");
    const byRequest = new Map(charges.map((row) => [row.requestId, -row.amountMicros]));
    expect(new Set(audit.map((record) => record.requestId)).size).toBe(audit.length);
    for (const record of audit) expect(byRequest.get(record.requestId) ?? 0).toBe(record.costMicros ?? 0);
    const charged = charges.reduce((sum, row) => sum - row.amountMicros, 0);
    expect(await balance(liveAccount)).toBe(GRANTED - charged);
  });
});
