import { describe, expect, it } from "vitest";
import { replaceValues, topLevelMembers } from "../src/json-members.js";
import { splicedAnswer } from "../src/openai-compatible/json-answer.js";
import { withUsageExtras } from "../src/openai-compatible/adapter.js";

/** A small deterministic PRNG (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY_STRINGS = ['"usage":{', "}", "{", "]", "[", '\\"', "\\", "a,b:c", "é ü 中文 🙂", "\n\t", '{"model":"x"}', ""];
const KEYS = ["model", "usage", "id", "choices", "content", "modelx", "usag", "Model", "é", "x y"];

/** Random JSON text (as the upstream could format it: any whitespace between tokens) and the value it holds. */
function randomJson(next: () => number, depth: number): { text: string; value: unknown } {
  // pick 3 is a value padded with whitespace; its holder re-reads the value from the text.
  const space = () => [" ", "", "\n", "\t", "  ", "\r\n"][Math.floor(next() * 6)]!;
  const pick = Math.floor(next() * (depth > 3 ? 4 : 6));
  if (pick === 0) {
    const value = TRICKY_STRINGS[Math.floor(next() * TRICKY_STRINGS.length)]! + String(Math.floor(next() * 100));
    return { text: JSON.stringify(value), value };
  }
  if (pick === 1) {
    const number = Math.round((next() - 0.5) * 1e6) / 100;
    const text = next() < 0.5 ? String(number) : number.toExponential();
    return { text, value: JSON.parse(text) as number };
  }
  if (pick === 2) {
    const value = [true, false, null][Math.floor(next() * 3)];
    return { text: String(value), value };
  }
  if (pick === 3) return { text: `${space()}${next() < 0.5 ? '"x"' : "7"}${space()}`, value: undefined };
  if (pick === 4) {
    const items = Array.from({ length: Math.floor(next() * 4) }, () => withValue(randomJson(next, depth + 1)));
    return { text: `[${space()}${items.map((item) => item.text).join(`${space()},${space()}`)}${space()}]`, value: items.map((item) => item.value) };
  }
  return randomObject(next, depth + 1);
}

function withValue(json: { text: string; value: unknown }): { text: string; value: unknown } {
  return json.value === undefined ? { text: json.text, value: JSON.parse(json.text) } : json;
}

function randomObject(next: () => number, depth: number): { text: string; value: Record<string, unknown> } {
  const space = () => [" ", "", "\n", "\t"][Math.floor(next() * 4)]!;
  const value: Record<string, unknown> = {};
  const members: string[] = [];
  for (const key of KEYS) {
    if (next() < 0.5) continue;
    const member = withValue(randomJson(next, depth));
    value[key] = member.value;
    members.push(`${space()}${JSON.stringify(key)}${space()}:${space()}${member.text}${space()}`);
  }
  return { text: `{${members.join(",")}}`, value };
}

const bytesOf = (text: string) => Buffer.from(text, "utf8");
const slice = (bytes: Buffer, span: { start: number; end: number }) => JSON.parse(bytes.toString("utf8", span.start, span.end)) as unknown;

describe("topLevelMembers", () => {
  it("finds exactly the top-level values JSON.parse sees, across 3,000 random documents", () => {
    const next = random(20261127);
    for (let round = 0; round < 3000; round += 1) {
      const { text, value } = randomObject(next, 0);
      const document = next() < 0.5 ? ` \n${text}\t ` : text;
      expect(JSON.parse(document)).toEqual(value);
      const bytes = bytesOf(document);
      const spans = topLevelMembers(bytes, ["model", "usage", "content"]);
      expect(spans, document).not.toBeNull();
      ["model", "usage", "content"].forEach((name, index) => {
        const span = spans![index]!;
        if (!(name in value)) expect(span, document).toBeNull();
        else expect(slice(bytes, span), document).toEqual(value[name]);
      });
      // Replacing two of them changes only those two.
      if (spans![0] !== null && spans![1] !== null) {
        const replaced = replaceValues(bytes, [
          [spans![1]!, '{"total_tokens":3}'],
          [spans![0]!, '"vendor/model é"'],
        ]);
        expect(JSON.parse(replaced.toString("utf8"))).toEqual({ ...value, model: "vendor/model é", usage: { total_tokens: 3 } });
      }
    }
  });

  it("refuses anything but one whole object, and every cut-short prefix of one", () => {
    for (const text of ["[]", '"model"', "12", "null", "", "   ", '{"model":1} {"model":2}', '{"model":1},', '{"model" 1}', '{"model":}', '{model:1}', '{"model":1,}', '{"a":"unterminated}']) {
      expect(topLevelMembers(bytesOf(text), ["model"]), text).toBeNull();
    }
    const whole = '{"id":"chatcmpl-1","model":"m","choices":[{"message":{"content":"a \\"quoted\\" {brace}"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}';
    expect(topLevelMembers(bytesOf(whole), ["model"])).not.toBeNull();
    for (let cut = 0; cut < whole.length; cut += 1) expect(topLevelMembers(bytesOf(whole.slice(0, cut)), ["model"]), whole.slice(0, cut)).toBeNull();
  });

  it("refuses a named member that appears twice or a key with an escape, which JSON.parse would read differently", () => {
    expect(topLevelMembers(bytesOf('{"model":"a","model":"b"}'), ["model"])).toBeNull();
    expect(topLevelMembers(bytesOf('{"mod\\u0065l":"a"}'), ["model"])).toBeNull();
    // A repeated member that is not looked for is fine, and nested names never count.
    const text = '{"id":1,"id":2,"choices":[{"model":"x","usage":{}}],"model":"m"}';
    const at = text.lastIndexOf('"m"');
    expect(topLevelMembers(bytesOf(text), ["model", "usage"])).toEqual([{ start: at, end: at + 3 }, null]);
  });
});

describe("splicedAnswer", () => {
  const upstream = '{"id":"chatcmpl-9","object":"chat.completion","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Ünïcödé \\u00e9 \\"usage\\":{ 🙂"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}},"system_fingerprint":"fp_1"}';

  it("reads the usage and rewrites model and usage only, leaving every other byte as the upstream sent it", () => {
    const answer = splicedAnswer(bytesOf(upstream), "openai/gpt-4o-mini");
    expect(answer?.usage).toEqual({ promptTokens: 12, completionTokens: 5, totalTokens: 17, estimated: false });
    const rendered = String(answer!.render({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, cost: 0.0001, cost_micros: 100 }));
    expect(rendered).toBe(
      upstream
        .replace('"model":"gpt-4o-mini-2024-07-18"', '"model":"openai/gpt-4o-mini"')
        .replace('"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":0}}', '"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"cost":0.0001,"cost_micros":100}'),
    );
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

  it("returns the chunk itself when no top-level usage object with counts is in it", () => {
    for (const json of ['{"choices":[{"usage":{"prompt_tokens":1,"completion_tokens":1}}],"usage":null}', '{"usage":{"note":"no counts"}}', '{"usage":{"prompt_tokens":1,"completion_tokens":1}']) {
      const chunk = bytesOf(event(json));
      expect(withUsageExtras(chunk, extras), json).toBe(chunk);
    }
  });
});
