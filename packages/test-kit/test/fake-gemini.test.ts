import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGemini, MEDIA_TOKENS, startFakeGemini, UNKNOWN_SIGNATURE } from "../src/fake-gemini.js";

type Json = Record<string, unknown>;

let gemini: FakeGemini;
beforeAll(async () => {
  gemini = await startFakeGemini({ apiKey: "AIza-key" });
});
afterAll(() => gemini.close());

const post = (model: string, body: unknown, options: { method?: string; key?: string | null } = {}) =>
  fetch(`${gemini.url}/models/${model}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(options.key === null ? {} : { "x-goog-api-key": options.key ?? "AIza-key" }) },
    body: JSON.stringify(body),
  });
const user = (text: string) => ({ contents: [{ role: "user", parts: [{ text }] }] });

/** The data of each event of an SSE body. */
async function events(response: Response): Promise<Json[]> {
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const text = await response.text();
  expect(text.endsWith("\r\n\r\n")).toBe(true);
  return text
    .split("\r\n\r\n")
    .filter((block) => block !== "")
    .map((block) => JSON.parse(block.replace(/^data: /, "")) as Json);
}

describe("fake Gemini upstream", () => {
  it("answers generateContent with a candidate, usage, model version and response id", async () => {
    const response = await post("gemini-2.5-flash:generateContent", user("Hello   there"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      candidates: [{ content: { parts: [{ text: "Fake Gemini answer to: Hello there" }], role: "model" }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 6, totalTokenCount: 8 },
      modelVersion: "gemini-2.5-flash",
      responseId: expect.stringMatching(/^fake-gemini-\d+$/),
    });
    expect(gemini.requests.at(-1)).toMatchObject({ method: "POST", path: "/v1beta/models/gemini-2.5-flash:generateContent" });
  });

  it("streams one chunk per word with alt=sse, the finish and the whole usage in the last; refuses a stream without it", async () => {
    const chunks = await events(await post("m:streamGenerateContent?alt=sse", user("one two")));
    expect(chunks).toHaveLength(6);
    expect(chunks.slice(0, -1).every((chunk) => (chunk.usageMetadata as Json).candidatesTokenCount === undefined)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      candidates: [{ content: { parts: [{ text: "two" }] }, finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 6 },
    });
    expect((await post("m:streamGenerateContent", user("x"))).status).toBe(400);
  });

  it("checks what Gemini checks: the key, field names, roles, parts, thinking settings", async () => {
    const key = await post("m:generateContent", user("x"), { key: "wrong" });
    expect(key.status).toBe(400);
    expect(await key.json()).toMatchObject({ error: { status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] } });
    for (const body of [
      { ...user("x"), model: "m" },
      { contents: [] },
      { contents: [{ role: "assistant", parts: [{ text: "x" }] }] },
      { contents: [{ role: "user", parts: [] }] },
      { contents: [{ role: "user", parts: [{ text: "x", inlineData: { mimeType: "image/png", data: "AA==" } }] }] },
      { contents: [{ role: "user", parts: [{ functionResponse: { response: {} } }] }] },
      { ...user("x"), generationConfig: { n: 2 } },
      { ...user("x"), generationConfig: { thinkingConfig: { thinkingLevel: "LOW", thinkingBudget: 10 } } },
      { ...user("x"), generationConfig: { candidateCount: 9 } },
    ]) {
      const response = await post("m:generateContent", body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    }
    expect((await post("gemini-2.5-flash:generateContent", { ...user("x"), generationConfig: { thinkingConfig: { thinkingLevel: "LOW" } } })).status).toBe(400);
  });

  it("fake-signed-tools issues signatures and wants them back, or the documented placeholder", async () => {
    const tools = [{ functionDeclarations: [{ name: "f", parametersJsonSchema: { type: "object", properties: { a: { type: "integer" } } } }] }];
    const first = (await (await post("fake-signed-tools:generateContent", { ...user("go"), tools })).json()) as Json;
    const part = ((first.candidates as Json[])[0]!.content as Json & { parts: Json[] }).parts[0]!;
    expect(part).toEqual({ functionCall: { name: "f", args: { a: 42 } }, thoughtSignature: gemini.signatures.at(-1) });
    const followUp = (signature?: string) => ({
      contents: [
        { role: "user", parts: [{ text: "go" }] },
        { role: "model", parts: [{ functionCall: { name: "f", args: { a: 42 } }, ...(signature === undefined ? {} : { thoughtSignature: signature }) }] },
        { role: "user", parts: [{ functionResponse: { name: "f", response: { output: "done" } } }] },
      ],
      tools,
    });
    expect((await post("fake-signed-tools:generateContent", followUp(gemini.signatures.at(-1)))).status).toBe(200);
    expect((await post("fake-signed-tools:generateContent", followUp(UNKNOWN_SIGNATURE))).status).toBe(200);
    const missing = await post("fake-signed-tools:generateContent", followUp());
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain("missing a thought_signature");
    expect((await post("fake-signed-tools:generateContent", followUp("Zm9yZ2Vk"))).status).toBe(400);
  });

  it("counts media, answers blocked prompts and safety stops, reports cached tokens, fails as Gemini does", async () => {
    const image = { contents: [{ role: "user", parts: [{ text: "see" }, { inlineData: { mimeType: "image/png", data: "AA==" } }] }] };
    expect(await (await post("m:generateContent", image)).json()).toMatchObject({ usageMetadata: { promptTokenCount: 1 + MEDIA_TOKENS } });
    expect(await (await post("fake-prompt-blocked:generateContent", user("x"))).json()).toMatchObject({
      promptFeedback: { blockReason: "SAFETY" },
      usageMetadata: { promptTokenCount: 1 },
    });
    const safety = (await (await post("fake-safety:generateContent", user("x"))).json()) as { candidates: Json[] };
    expect(safety.candidates[0]).toMatchObject({ finishReason: "SAFETY" });
    expect(safety.candidates[0]!.content).toBeUndefined();
    expect(await (await post("fake-cached:generateContent", user("a b c d"))).json()).toMatchObject({
      usageMetadata: { promptTokenCount: 4, cachedContentTokenCount: 2 },
    });
    const overloaded = await post("fake-error-503:generateContent", user("x"));
    expect(overloaded.status).toBe(503);
    expect(await overloaded.json()).toEqual({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } });
  });
});
