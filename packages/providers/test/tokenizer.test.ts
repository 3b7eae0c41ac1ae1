import { randomBytes } from "node:crypto";
import { getEncoding } from "js-tiktoken";
import { describe, expect, it } from "vitest";
import { countTokens } from "../src/index.js";

describe("countTokens", () => {
  const exact = (text: string) => getEncoding("cl100k_base").encode(text).length;

  it("counts ordinary text exactly", () => {
    for (const text of ["Hello, world!", "The quick brown fox jumps over the lazy dog. ".repeat(50), "naïve café — 你好 😀", "see https://example.com/docs/api?version=2"]) {
      expect(countTokens(text)).toBe(exact(text));
    }
  });

  it("stays fast on long runs without spaces (byte-pair merging is quadratic in a run's length)", () => {
    countTokens("warm up");
    for (const text of ["y".repeat(250_000), randomBytes(150_000).toString("base64"), `start ${"ab".repeat(100_000)} end`]) {
      const started = performance.now();
      const count = countTokens(text);
      expect(performance.now() - started).toBeLessThan(250);
      expect(count).toBeGreaterThan(text.length / 8);
      expect(count).toBeLessThan(text.length);
    }
  });
});

describe("prompt counting on huge prompts", () => {
  it("counts the first 64 KiB exactly and estimates the rest, within milliseconds", async () => {
    const { countPromptTokens, countTokens, EXACT_PROMPT_CHARACTERS } = await import("../src/tokenizer.js");
    const small = "The quick brown fox jumps over the lazy dog. ";
    expect(countPromptTokens([{ role: "user", content: small }])).toBe(6 + countTokens(small));
    const huge = small.repeat(Math.ceil((4 * 1024 * 1024) / small.length));
    const started = performance.now();
    const counted = countPromptTokens([{ role: "user", content: huge }]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(500);
    // The estimate (one token per 3 characters) is an upper bound for English prose.
    expect(counted).toBe(6 + Math.ceil(huge.length / 3));
    expect(huge.length).toBeGreaterThan(EXACT_PROMPT_CHARACTERS);
  });
});
