import { createOpenAI } from "@ai-sdk/openai";
import { parseCatalog } from "@bentoo/core";
import { countTokens } from "@bentoo/providers";
import { type FakeGemini, type FakeUpstream, fakeValues, normalised, startFakeGemini, startFakeUpstream } from "@bentoo/test-kit";
import { OpenAIEmbeddings } from "@langchain/openai";
import { embed, embedMany } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./helpers.js";

/** 100 micro-dollars per input token: the charge shows every token. */
const INPUT_MICROS = 100;

function catalog(openai: FakeUpstream, gemini: FakeGemini) {
  const embedding = { kind: "embedding", input_price_per_mtok: INPUT_MICROS, context_length: 2048 };
  return parseCatalog({
    providers: [
      { id: "openai", type: "openai", base_url: openai.url, api_key_env: null, max_retries: 0 },
      { id: "google", type: "gemini", base_url: gemini.url, api_key_env: null, max_retries: 0 },
    ],
    models: [
      { id: "fake/embed", provider: "openai", upstream_model: "fake-embed", ...embedding, dimensions: 16, min_dimensions: 4 },
      { id: "google/embed", provider: "google", upstream_model: "gemini-embedding-001", ...embedding, dimensions: 3072, min_dimensions: 128 },
    ],
  });
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
const closeTo = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual).toHaveLength(expected.length);
  for (const [index, value] of actual.entries()) expect(value).toBeCloseTo(expected[index]!, 6);
};

/**
 * The embedding clients people use, unmodified, against Bentoo: the Vercel AI
 * SDK (`embed`, `embedMany` with @ai-sdk/openai) and LangChain's
 * OpenAIEmbeddings, on test keys (the sandbox) and on live keys served by an
 * OpenAI-type provider and a native Gemini one (fake upstreams). Each live
 * request is charged exactly its usage at the input price, with one audit record.
 */
describe("embedding clients against Bentoo", () => {
  let openai: FakeUpstream;
  let gemini: FakeGemini;
  let t: TestApp;
  let baseURL: string;
  let testKey: string;
  let liveKey: string;
  let liveAccount: string;

  beforeAll(async () => {
    openai = await startFakeUpstream();
    gemini = await startFakeGemini();
    t = await createTestApp({ catalog: catalog(openai, gemini) });
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    const address = t.app.server.address();
    if (typeof address !== "object" || address === null) throw new Error("no address");
    baseURL = `http://127.0.0.1:${address.port}/v1`;
    testKey = (await t.seedAccount({ mode: "test" })).key;
    const live = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000_000 });
    liveKey = live.key;
    liveAccount = live.account.id;
  });
  afterAll(async () => {
    await t?.dispose();
    await openai?.close();
    await gemini?.close();
  });

  /** Runs `send`; returns what the account was charged and the audit records it added (expected: one, at that charge). */
  async function charged(send: () => Promise<unknown>): Promise<{ micros: number; records: Array<{ id: string; costMicros: number | null; status: number }> }> {
    const before = await snapshot();
    await send();
    const after = await snapshot();
    const seen = new Set(before.records.map((record) => record.id));
    return { micros: before.balance - after.balance, records: after.records.filter((record) => !seen.has(record.id)) };
  }
  async function snapshot() {
    await t.services.records.flush();
    const records: Array<{ id: string; costMicros: number | null; status: number }> = [];
    for await (const record of t.services.storage.audit.iterate({ accountId: liveAccount, type: "request" })) records.push(record);
    return { balance: (await t.services.storage.accounts.get(liveAccount))!.balanceMicros, records };
  }

  describe("the Vercel AI SDK (@ai-sdk/openai)", () => {
    const model = (key: string, id: string) => createOpenAI({ apiKey: key, baseURL }).embedding(id);

    it("embed and embedMany on a test key: the sandbox's unit vectors, the token counts as usage", async () => {
      const one = await embed({ model: model(testKey, "fake/embed"), value: "sunny day at the beach" });
      expect(one.embedding).toHaveLength(16);
      expect(dot(one.embedding, one.embedding)).toBeCloseTo(1, 5);
      expect(one.usage.tokens).toBe(countTokens("sunny day at the beach"));
      const values = ["sunny day at the beach", "rainy day in the city", "sunny day at the beach"];
      const many = await embedMany({ model: model(testKey, "google/embed"), values });
      expect(many.embeddings).toHaveLength(3);
      expect(many.embeddings[0]).toHaveLength(3072);
      expect(many.embeddings[2]).toEqual(many.embeddings[0]);
      expect(many.usage.tokens).toBe(values.reduce((sum, value) => sum + countTokens(value), 0));
    });

    it("dimensions through providerOptions", async () => {
      const one = await embed({ model: model(testKey, "fake/embed"), value: "short", providerOptions: { openai: { dimensions: 4 } } });
      expect(one.embedding).toHaveLength(4);
    });

    it("live key, OpenAI-type provider: the upstream's vectors, charged exactly, one audit record", async () => {
      const values = ["first document here", "second one"];
      let result: Awaited<ReturnType<typeof embedMany>> | undefined;
      const bill = await charged(async () => {
        result = await embedMany({ model: model(liveKey, "fake/embed"), values });
      });
      result!.embeddings.forEach((vector, index) => {
        closeTo(vector, normalised(fakeValues(values[index]!, 16)));
      });
      // The fake counts words: 3 + 2.
      expect(result!.usage.tokens).toBe(5);
      expect(bill.micros).toBe(5 * INPUT_MICROS);
      expect(bill.records).toEqual([expect.objectContaining({ status: 200, costMicros: 5 * INPUT_MICROS })]);
    });

    it("live key, native Gemini provider: translated, counted by Bentoo, charged exactly, one audit record", async () => {
      let result: Awaited<ReturnType<typeof embed>> | undefined;
      const value = "what is the meaning of life";
      const bill = await charged(async () => {
        result = await embed({ model: model(liveKey, "google/embed"), value });
      });
      closeTo(result!.embedding, normalised(fakeValues(value, 3072)));
      expect(result!.usage.tokens).toBe(countTokens(value));
      expect(bill.micros).toBe(countTokens(value) * INPUT_MICROS);
      expect(bill.records).toEqual([expect.objectContaining({ status: 200, costMicros: countTokens(value) * INPUT_MICROS })]);
    });
  });

  describe("LangChain's OpenAIEmbeddings", () => {
    const embeddings = (key: string, id: string, dimensions?: number) =>
      new OpenAIEmbeddings({ model: id, apiKey: key, configuration: { baseURL }, maxRetries: 0, ...(dimensions === undefined ? {} : { dimensions }) });

    it("embedQuery and embedDocuments on a test key", async () => {
      const query = await embeddings(testKey, "fake/embed").embedQuery("where is the cat?");
      expect(query).toHaveLength(16);
      expect(dot(query, query)).toBeCloseTo(1, 5);
      const documents = await embeddings(testKey, "google/embed", 256).embedDocuments(["the cat is on the mat", "stocks rose today"]);
      expect(documents.map((vector) => vector.length)).toEqual([256, 256]);
    });

    it("live key, OpenAI-type provider, charged exactly with one audit record", async () => {
      const documents = ["alpha beta gamma", "delta"];
      let vectors: number[][] = [];
      const bill = await charged(async () => {
        vectors = await embeddings(liveKey, "fake/embed").embedDocuments(documents);
      });
      vectors.forEach((vector, index) => {
        closeTo(vector, normalised(fakeValues(documents[index]!, 16)));
      });
      expect(bill.micros).toBe(4 * INPUT_MICROS);
      expect(bill.records).toEqual([expect.objectContaining({ status: 200, costMicros: 4 * INPUT_MICROS })]);
    });

    it("live key, native Gemini provider, with dimensions, charged exactly with one audit record", async () => {
      let vector: number[] = [];
      const bill = await charged(async () => {
        vector = await embeddings(liveKey, "google/embed", 768).embedQuery("gemini query");
      });
      closeTo(vector, normalised(normalised(fakeValues("gemini query", 3072)).slice(0, 768)));
      expect(bill.micros).toBe(countTokens("gemini query") * INPUT_MICROS);
      expect(bill.records).toEqual([expect.objectContaining({ status: 200, costMicros: countTokens("gemini query") * INPUT_MICROS })]);
    });
  });
});
