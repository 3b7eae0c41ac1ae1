import { describe, expect, it } from "vitest";
import { SseTap } from "../src/sse-tap.js";

const event = (data: unknown) => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
const delta = (content: string) => event({ choices: [{ index: 0, delta: { content } }] });
const usage = event({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 } });

/** Feeds `text` in chunks of `size` bytes, so events and UTF-8 characters split across chunks. */
function tapOf(text: string, size: number): SseTap {
  const tap = new SseTap();
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += size) tap.feed(bytes.subarray(offset, offset + size));
  return tap;
}

describe("SseTap", () => {
  it("reads [DONE] and the usage chunk at the end of a stream, whatever the chunking", () => {
    const text = delta("Héllo") + delta(" wörld") + usage + event("[DONE]");
    for (const size of [1, 3, 7, 64, 10_000]) {
      expect(tapOf(text, size).ending()).toEqual({ done: true, usage: { promptTokens: 11, completionTokens: 22, totalTokens: 33 }, error: null });
      expect(tapOf(text, size).deliveredText()).toBe("Héllo wörld");
    }
  });

  it("finds the ending of a stream far longer than the tail it reads", () => {
    const words = Array.from({ length: 20_000 }, (_, index) => delta(` w${index}`)).join("");
    expect(Buffer.byteLength(words)).toBeGreaterThan(1024 * 1024);
    const tap = tapOf(words + usage + event("[DONE]"), 4093);
    expect(tap.ending()).toMatchObject({ done: true, usage: { totalTokens: 33 } });
    expect(tap.deliveredText().split(" ").length).toBe(20_001);
  });

  it("finds a usage chunk larger than the first tail it reads", () => {
    const big = event({ choices: [{ index: 0, delta: { content: "z".repeat(10_000) } }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
    const tap = tapOf(delta("a".repeat(70_000)) + big + event("[DONE]"), 1000);
    expect(tap.ending()).toEqual({ done: true, usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 }, error: null });
  });

  it("still reads the ending of a stream past the 8 MiB it keeps for estimates", () => {
    const piece = delta("x".repeat(60_000));
    const tap = new SseTap();
    for (let index = 0; index < 160; index += 1) tap.feed(Buffer.from(piece)); // ≈ 9.6 MB
    tap.feed(Buffer.from(usage + event("[DONE]")));
    expect(tap.ending()).toEqual({ done: true, usage: { promptTokens: 11, completionTokens: 22, totalTokens: 33 }, error: null });
  });

  it("reports a cut stream and an in-band error", () => {
    expect(tapOf(delta("partial"), 5).ending()).toEqual({ done: false, usage: null, error: null });
    const failed = tapOf(delta("a") + event({ error: { message: "overloaded", code: "server_error" } }), 9);
    expect(failed.ending()).toEqual({ done: false, usage: null, error: { message: "overloaded", code: "server_error" } });
  });

  it("accepts CRLF event separators and ignores a null usage", () => {
    const text = `data: ${JSON.stringify({ choices: [{ delta: { content: "x" } }], usage: null })}\r\n\r\ndata: [DONE]\r\n\r\n`;
    expect(tapOf(text, 4).ending()).toEqual({ done: true, usage: null, error: null });
  });
});
