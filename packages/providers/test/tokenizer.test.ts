import { randomBytes } from "node:crypto";
import { getEncoding } from "js-tiktoken";
import { describe, expect, it } from "vitest";
import { countTokens } from "../src/index.js";
import { textRequest } from "./calls.js";

describe("countTokens", () => {
  const exact = (text: string) => getEncoding("cl100k_base").encode(text).length;

  it("counts ordinary text exactly", () => {
    for (const text of [
      "Hello, world!",
      "The quick brown fox jumps over the lazy dog. ".repeat(50),
      "naïve café — 你好 😀",
      "see https://example.com/docs/api?version=2",
    ]) {
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

describe("the memory-lean encoder", () => {
  const reference = getEncoding("cl100k_base");

  it("counts exactly what js-tiktoken's full cl100k_base encoder counts", () => {
    const alphabet = [
      "a",
      "Z",
      "é",
      "ß",
      "я",
      "中",
      "文",
      "😀",
      "👍🏽",
      "0",
      "7",
      "_",
      "-",
      ".",
      ",",
      "'",
      '"',
      "{",
      "}",
      "<",
      "/",
      "\t",
      "\n",
      "\r\n",
      "  ",
      "\u00a0",
    ];
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    const texts = [
      "function add(a: number, b: number): number {\n  return a + b;\n}\n",
      JSON.stringify({ role: "tool", content: [1, 2.5, -3e10, null, true], name: "lookup_weather" }, null, 2),
      "Numbers 1234567 and 3.14159, dates 2024-05-13, money $1,000.00.",
      "   leading and trailing whitespace\n\n\n   ",
      "Ünïcödé мир 世界 ١٢٣ العربية हिन्दी",
      "it's I'LL we've THEY'RE you'd",
    ];
    for (let n = 0; n < 200; n++) {
      let text = "";
      while (text.length < 300) {
        // Runs without spaces stay well under the 64 characters that are counted exactly.
        for (let run = random(12); run >= 0; run--) text += alphabet[random(alphabet.length)];
        text += " ";
      }
      texts.push(text);
    }
    for (const text of texts) expect(countTokens(text)).toBe(reference.encode(text).length);
  });

  it("finds js-tiktoken's decode table where the tokenizer empties it (an upgrade that renames it must notice)", () => {
    const table: unknown = Reflect.get(reference, "textMap");
    expect(table).toBeInstanceOf(Map);
    expect((table as Map<unknown, unknown>).size).toBeGreaterThan(100_000);
  });

  it("counts special-token text such as <|endoftext|> as plain text instead of throwing", () => {
    const text = "Say <|endoftext|> and <|fim_prefix|> please";
    expect(countTokens(text)).toBe(reference.encode(text, [], []).length);
    expect(countTokens(text)).toBeGreaterThan(8);
  });

  it("still counts exactly once the count cache has dropped its oldest texts", () => {
    const text = (n: number) => `${n} ${"a ".repeat(32 * 1024 - 8)}`;
    const first = countTokens(text(0));
    for (let n = 1; n <= 70; n++) countTokens(text(n));
    expect(countTokens(text(0))).toBe(first);
    expect(first).toBe(reference.encode(text(0)).length);
  });
});

describe("prompt counting on huge prompts", () => {
  it("counts the first 64 KiB exactly and estimates the rest, within milliseconds", async () => {
    const { countRequestTokens, countTokens, EXACT_PROMPT_CHARACTERS } = await import("../src/tokenizer.js");
    const small = "The quick brown fox jumps over the lazy dog. ";
    expect(countRequestTokens(textRequest(small))).toBe(6 + countTokens(small));
    const huge = small.repeat(Math.ceil((4 * 1024 * 1024) / small.length));
    const started = performance.now();
    const counted = countRequestTokens(textRequest(huge));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(500);
    // The estimate (one token per 3 characters) is an upper bound for English prose.
    expect(counted).toBe(6 + Math.ceil(huge.length / 3));
    expect(huge.length).toBeGreaterThan(EXACT_PROMPT_CHARACTERS);
  });
});

describe("prompt counting cannot be shrunk by how the text is written", () => {
  const exact = (text: string) => getEncoding("cl100k_base").encode(text, [], []).length;

  it("counts a run that starts cheap and turns dense at the dense rate (within the exact budget)", async () => {
    const { countRequestTokens } = await import("../src/tokenizer.js");
    const unit = `${"a".repeat(64)}${"龘".repeat(1500)}`;
    const text = unit.repeat(4);
    const perIdeograph = exact("龘".repeat(100)) / 100;
    const started = performance.now();
    const counted = countRequestTokens(textRequest(text));
    expect(performance.now() - started).toBeLessThan(250);
    expect(counted).toBeGreaterThanOrEqual(4 * 1500 * perIdeograph);
    expect(counted).toBeLessThan(4 * 1500 * perIdeograph * 1.5);
  });

  it("estimates a huge prompt of dense text at its own rate, not one token per 3 characters", async () => {
    const { countRequestTokens, EXACT_PROMPT_CHARACTERS } = await import("../src/tokenizer.js");
    // What one unit counts (the ideographs' share measured on a short run: a long one is slow to encode whole).
    const dense = [
      { unit: `${"a".repeat(64)}${"龘".repeat(1500)} `, tokens: exact("a".repeat(64)) + (1500 * exact("龘".repeat(100))) / 100 },
      { unit: "a1b2c3d4e5f6 0f1e2d3c4b5a ", tokens: exact("a1b2c3d4e5f6 0f1e2d3c4b5a ") },
    ];
    for (const { unit, tokens } of dense) {
      const text = unit.repeat(Math.ceil(400_000 / unit.length));
      expect(text.length).toBeGreaterThan(4 * EXACT_PROMPT_CHARACTERS);
      const truth = (text.length / unit.length) * tokens;
      const started = performance.now();
      const counted = countRequestTokens(textRequest(text));
      expect(performance.now() - started).toBeLessThan(500);
      expect(counted).toBeGreaterThanOrEqual(truth);
      expect(counted).toBeLessThan(truth * 1.6);
    }
  });

  it("bounds images, files and audio, which the text count leaves to the provider", async () => {
    const { countPromptTokens } = await import("../src/tokenizer.js");
    const base = textRequest("hello");
    const withParts = (parts: unknown[]) =>
      ({ ...base, messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "hello" }, ...parts] }] }) as typeof base;
    const text = countPromptTokens(base).text;
    expect(countPromptTokens(base).media).toBe(0);
    const image = { type: "image", source: { kind: "url", url: "https://example.com/a.png" } };
    expect(countPromptTokens(withParts([image, image]))).toEqual({ text, media: 3_200 });
    const pdf = { type: "file", source: { kind: "base64", mediaType: "application/pdf", data: "A".repeat(40_000) } };
    expect(countPromptTokens(withParts([pdf])).media).toBe(15_000);
    const linked = { type: "file", source: { kind: "url", url: "https://example.com/a.pdf" } };
    expect(countPromptTokens(withParts([linked])).media).toBe(Number.MAX_SAFE_INTEGER);
    const audio = { type: "audio", data: "A".repeat(40_000), format: "wav" };
    expect(countPromptTokens(withParts([audio])).media).toBe(60);
  });
});

describe("prompt counting of a request's parts", () => {
  it("counts text, names, tool calls, tool results and tool definitions; not images", async () => {
    const { countRequestTokens } = await import("../src/tokenizer.js");
    const base = textRequest("hello");
    const plain = countRequestTokens(base);
    expect(plain).toBe(3 + 3 + countTokens("hello"));
    const withImage = {
      ...base,
      messages: [
        {
          role: "user" as const,
          parts: [
            { type: "text" as const, text: "hello" },
            { type: "image" as const, source: { kind: "url" as const, url: "https://example.com/a.png" } },
          ],
        },
      ],
    };
    expect(countRequestTokens(withImage)).toBe(plain);
    const named = { ...base, messages: [{ ...base.messages[0]!, name: "ada" }] };
    expect(countRequestTokens(named)).toBe(plain + countTokens("ada") + 1);
    const toolTurn = {
      ...base,
      messages: [
        ...base.messages,
        { role: "assistant" as const, parts: [{ type: "tool-call" as const, id: "call_1", name: "lookup", arguments: '{"city":"Paris"}' }] },
        { role: "tool" as const, parts: [{ type: "tool-result" as const, toolCallId: "call_1", content: [{ type: "text" as const, text: "sunny" }] }] },
      ],
      tools: [{ name: "lookup", parameters: { type: "object" } }],
    };
    expect(countRequestTokens(toolTurn)).toBe(
      plain + 3 + countTokens("lookup") + countTokens('{"city":"Paris"}') + 3 + countTokens("sunny") + countTokens(JSON.stringify(toolTurn.tools)),
    );
  });
});
