import { readFileSync } from "node:fs";
import type { ModelResponse } from "@bentoo/core";
import { describe, expect, it } from "vitest";
import { geminiResponse } from "../src/gemini/answer.js";
import { signatureOf } from "../src/gemini/tool-call-id.js";
import { readGeminiAnswer } from "../src/gemini/wire.js";
import { textRequest } from "./calls.js";

/** Gemini answers written from the reference (https://ai.google.dev/api/generate-content#generatecontentresponse). */
const answers = JSON.parse(readFileSync(new URL("fixtures/gemini/answers.json", import.meta.url), "utf8")) as Record<string, unknown>;

function translate(name: string, choices = 1): ModelResponse {
  const answer = readGeminiAnswer(answers[name]);
  if (answer === null) throw new Error(`fixture ${name} is not a GenerateContentResponse`);
  return geminiResponse(answer, textRequest("What is the capital of France?", { choices }), "gemini-req_test", 1_700_000_000);
}

const usage = (fields: Partial<ModelResponse["usage"]>) => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  estimated: false,
  ...fields,
});

describe("Gemini translation: GenerateContentResponse → ModelResponse", () => {
  it("a text answer: its id, the text, STOP → stop, usage from usageMetadata", () => {
    expect(translate("text")).toEqual({
      id: "mO9YaKOvLsTGz7IPqNeV6Q4",
      created: 1_700_000_000,
      choices: [{ index: 0, text: "Paris is the capital of France.", reasoning: null, refusal: null, toolCalls: [], finishReason: "stop" }],
      usage: usage({ inputTokens: 8, outputTokens: 7 }),
    });
  });

  it("function calls: tool calls with JSON arguments and fresh ids, the signature kept in the first; STOP → tool_calls; thoughts billed as output", () => {
    const response = translate("functionCalls");
    const [choice] = response.choices;
    expect(choice).toMatchObject({ text: null, finishReason: "tool_calls" });
    expect(choice!.toolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
      { name: "get_weather", args: '{"city":"Paris","unit":"celsius"}' },
      { name: "get_time", args: '{"zone":"Europe/Paris"}' },
    ]);
    const [first, second] = choice!.toolCalls;
    expect(first!.id).not.toBe(second!.id);
    expect(signatureOf(first!.id)).toBe("CiQBVKhc7v+/Ab1=");
    expect(signatureOf(second!.id)).toBeNull();
    expect(response.usage).toEqual(usage({ inputTokens: 52, outputTokens: 68, reasoningTokens: 44 }));
  });

  it("thought parts are the reasoning, apart from the text", () => {
    const response = translate("thinking");
    expect(response.choices[0]).toMatchObject({ text: "42", reasoning: "**Weighing the options**\nThe user asks for a number.", finishReason: "stop" });
    expect(response.usage).toEqual(usage({ inputTokens: 11, outputTokens: 301, reasoningTokens: 300 }));
  });

  it("a candidate stopped for SAFETY: content_filter, no text, the reason in the refusal", () => {
    const response = translate("safety");
    expect(response.choices).toEqual([
      {
        index: 0,
        text: null,
        reasoning: null,
        refusal: "The provider's content filter stopped the answer (finish reason SAFETY).",
        toolCalls: [],
        finishReason: "content_filter",
      },
    ]);
    expect(response.usage).toEqual(usage({ inputTokens: 20 }));
  });

  it("a blocked prompt: every requested choice finished with content_filter, the block reason said, the prompt billed", () => {
    const response = translate("promptBlocked", 2);
    expect(response.choices).toHaveLength(2);
    for (const [index, choice] of response.choices.entries()) {
      expect(choice).toEqual({
        index,
        text: null,
        reasoning: null,
        refusal: "The provider's content filter blocked the prompt (block reason PROHIBITED_CONTENT); no answer was generated.",
        toolCalls: [],
        finishReason: "content_filter",
      });
    }
    expect(response.usage).toEqual(usage({ inputTokens: 9 }));
  });

  it("cached tokens are part of the input and counted as cache reads", () => {
    expect(translate("cached").usage).toEqual(usage({ inputTokens: 40210, cacheReadTokens: 32768, outputTokens: 6 }));
  });

  it("several candidates become choices in index order, each with its own finish", () => {
    const response = translate("candidates", 3);
    expect(response.choices.map(({ index, text, finishReason, refusal }) => ({ index, text, finishReason, refusal }))).toEqual([
      { index: 0, text: "First.", finishReason: "stop", refusal: null },
      { index: 1, text: "Second: a longer", finishReason: "length", refusal: null },
      {
        index: 2,
        text: "Third, reci",
        finishReason: "content_filter",
        refusal: "The provider's content filter stopped the answer (finish reason RECITATION: Output resembles a copyrighted source.).",
      },
    ]);
  });

  it("a malformed function call finishes with error", () => {
    expect(translate("malformedCall").choices[0]).toMatchObject({ text: null, finishReason: "error" });
  });

  it("without usageMetadata, the usage is counted by Bentoo and marked estimated", () => {
    const response = translate("noUsage");
    expect(response.id).toBe("gemini-req_test");
    expect(response.usage).toMatchObject({ outputTokens: 4, estimated: true });
    expect(response.usage.inputTokens).toBeGreaterThan(0);
  });

  it("reads nothing that is not a GenerateContentResponse", () => {
    expect(readGeminiAnswer({ error: { code: 500, message: "x" } })).toBeNull();
    expect(readGeminiAnswer([1, 2])).toBeNull();
    expect(readGeminiAnswer("text")).toBeNull();
  });
});
