import { describe, expect, it } from "vitest";
import { withUsageExtras } from "../src/openai-compatible/adapter.js";
import { splicedAnswer } from "../src/openai-compatible/json-answer.js";

const bytesOf = (text: string) => Buffer.from(text, "utf8");

describe("splicedAnswer", () => {
  const upstream = '{"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Ünïcödé \\u00e9 \\"usage\\":{ 🙂"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}},"system_fingerprint":"fp_1"}';

  it("reads the usage and rewrites the model and adds the cost to the usage, leaving every other byte (details too) as the upstream sent it", () => {
    const answer = splicedAnswer(bytesOf(upstream), "openai/gpt-4o-mini");
    expect(answer?.usage).toEqual({ promptTokens: 12, completionTokens: 5, totalTokens: 17, estimated: false });
    const rendered = String(answer!.render({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, cost: 0.0001, cost_micros: 100 }));
    expect(rendered).toBe(
      upstream
        .replace('"model":"gpt-4o-mini-2024-07-18"', '"model":"openai/gpt-4o-mini"')
        .replace('"prompt_tokens_details":{"cached_tokens":0}}', '"prompt_tokens_details":{"cached_tokens":0},"cost":0.0001,"cost_micros":100}'),
    );
    expect(JSON.parse(rendered).usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 }, cost: 0.0001, cost_micros: 100 });
  });

  it("adds a total the upstream left out, and replaces an upstream's own cost instead of repeating the member", () => {
    const noTotal = upstream.replace('"total_tokens":17,', "");
    const added = String(splicedAnswer(bytesOf(noTotal), "m")!.render({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, cost: 0.0001, cost_micros: 100 }));
    expect(JSON.parse(added).usage).toEqual({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 }, cost: 0.0001, cost_micros: 100 });
    const ownCost = upstream.replace('"total_tokens":17,', '"total_tokens":17,"cost":9,');
    const replaced = String(splicedAnswer(bytesOf(ownCost), "m")!.render({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, cost: 0.0001, cost_micros: 100 }));
    expect(replaced).not.toContain('"cost":9');
    expect(JSON.parse(replaced)).toMatchObject({ model: "m", usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 0 }, cost: 0.0001, cost_micros: 100 } });
  });

  it("leaves to the full parse an answer it cannot splice safely", () => {
    const cases = [
      upstream.replace('"usage":{"prompt_tokens":12', '"usage":{"prompt_tokens":"12"'), // counts that are not numbers: estimated instead
      upstream.replace(/"usage":\{.*\}\},/, '"usage":null,'),
      upstream.replace('"model":"gpt-4o-mini-2024-07-18",', ""),
      upstream.replace('"id":"chatcmpl-9"', '"usage":{"prompt_tokens":1,"completion_tokens":1}'),
      upstream.slice(0, -1),
    ];
    for (const text of cases) expect(splicedAnswer(bytesOf(text), "m"), text).toBeNull();
    const notUtf8 = Buffer.concat([bytesOf(upstream.slice(0, 20)), Buffer.from([0xff, 0xfe]), bytesOf(upstream.slice(20))]);
    expect(splicedAnswer(notUtf8, "m")).toBeNull();
  });
});

describe("withUsageExtras", () => {
  const extras = () => ({ cost: 0.5, cost_micros: 500000 });
  const event = (json: string) => `data: ${json}\n\n`;

  it("adds the extras inside the usage object and passes the bytes around it through", () => {
    const before = event('{"choices":[{"delta":{"content":"\\"usage\\":{ é"}}],"usage":null}');
    const usageEvent = '{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}';
    const chunk = bytesOf(`${before}${event(usageEvent)}data: [DONE]\n\n`);
    const out = withUsageExtras(chunk, extras);
    expect(Array.isArray(out)).toBe(true);
    expect(Buffer.concat(out as Buffer[]).toString("utf8")).toBe(
      `${before}${event('{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"cost":0.5,"cost_micros":500000}}')}data: [DONE]\n\n`,
    );
  });

  it("keeps the upstream's usage bytes (spacing, details) and puts the extras before its closing brace", () => {
    const usageEvent = '{"id":"c","choices":[],"usage": { "prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "prompt_tokens_details": {"cached_tokens": 0} } }';
    const out = withUsageExtras(bytesOf(event(usageEvent)), extras);
    const text = Buffer.concat(out as Buffer[]).toString("utf8");
    expect(text).toBe(event('{"id":"c","choices":[],"usage": { "prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "prompt_tokens_details": {"cached_tokens": 0} ,"cost":0.5,"cost_micros":500000} }'));
    expect(JSON.parse(text.slice("data: ".length)).usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, prompt_tokens_details: { cached_tokens: 0 }, cost: 0.5, cost_micros: 500000 });
  });

  it("replaces an upstream's own cost members instead of adding a second member of the same name", () => {
    const usageEvent = '{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"cost":9}}';
    const text = Buffer.concat(withUsageExtras(bytesOf(event(usageEvent)), extras) as Buffer[]).toString("utf8");
    expect(text).toBe(event('{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"cost":0.5,"cost_micros":500000}}'));
  });

  it("returns the chunk itself when no top-level usage object with counts is in it", () => {
    for (const json of ['{"choices":[{"usage":{"prompt_tokens":1,"completion_tokens":1}}],"usage":null}', '{"usage":{"note":"no counts"}}', '{"usage":{"prompt_tokens":1,"completion_tokens":1}']) {
      const chunk = bytesOf(event(json));
      expect(withUsageExtras(chunk, extras), json).toBe(chunk);
    }
  });
});
