import { nestsDeeperThan, replaceValues, stringEnd, topLevelMembers } from "@bentoo/core";
import { describe, expect, it } from "vitest";

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

const TRICKY_STRINGS = [
  '"usage":{',
  "}",
  "{",
  "]",
  "[",
  '\\"',
  "\\",
  "a,b:c",
  "é ü 中文 🙂",
  "\n\t",
  '{"model":"x"}',
  "",
  `${"x".repeat(30)}\\"}`,
  `${"é".repeat(20)}\\\\`,
  `{[${"long ".repeat(20)}"]}`,
];
const KEYS = ["model", "usage", "id", "choices", "content", "modelx", "usag", "Model", "é", "x y"];

/** Random JSON text (as the upstream could format it: any whitespace between tokens) and the value it holds. */
function randomJson(next: () => number, depth: number): { text: string; value: unknown } {
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
  if (pick === 3) {
    // A value padded with whitespace.
    const literal = next() < 0.5 ? '"x"' : "7";
    return { text: `${space()}${literal}${space()}`, value: JSON.parse(literal) as unknown };
  }
  if (pick === 4) {
    const items = Array.from({ length: Math.floor(next() * 4) }, () => randomJson(next, depth + 1));
    return { text: `[${space()}${items.map((item) => item.text).join(`${space()},${space()}`)}${space()}]`, value: items.map((item) => item.value) };
  }
  return randomObject(next, depth + 1);
}

function randomObject(next: () => number, depth: number): { text: string; value: Record<string, unknown> } {
  const space = () => [" ", "", "\n", "\t"][Math.floor(next() * 4)]!;
  const value: Record<string, unknown> = {};
  const members: string[] = [];
  for (const key of KEYS) {
    if (next() < 0.5) continue;
    const member = randomJson(next, depth);
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
    for (const text of [
      "[]",
      '"model"',
      "12",
      "null",
      "",
      "   ",
      '{"model":1} {"model":2}',
      '{"model":1},',
      '{"model" 1}',
      '{"model":}',
      "{model:1}",
      '{"model":1,}',
      '{"a":"unterminated}',
    ]) {
      expect(topLevelMembers(bytesOf(text), ["model"]), text).toBeNull();
    }
    const whole =
      '{"id":"chatcmpl-1","model":"m","choices":[{"message":{"content":"a \\"quoted\\" {brace}"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}';
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

describe("stringEnd and nestsDeeperThan", () => {
  it("find where any string ends, short or long, whatever its escapes", () => {
    const next = random(7);
    const alphabet = ["a", '"', "\\", "é", "{", "]", "\n", "🙂"];
    for (let round = 0; round < 2000; round += 1) {
      const value = Array.from({ length: Math.floor(next() * 120) }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      const json = JSON.stringify(value);
      const bytes = bytesOf(`${json}, "next"`);
      expect(stringEnd(bytes, 0), json).toBe(Buffer.byteLength(json));
      expect(stringEnd(bytesOf(json.slice(0, -1)), 0), json).toBe(-1);
    }
  });

  it("count nesting outside strings only", () => {
    const deep = (depth: number, filler = "") => `${"[".repeat(depth - 1)}{"text":"${filler}"}${"]".repeat(depth - 1)}`;
    const brackets = `${"[{".repeat(40)}\\"${"]}".repeat(40)}`;
    expect(nestsDeeperThan(bytesOf(deep(64, brackets)), 64)).toBe(false);
    expect(nestsDeeperThan(bytesOf(deep(65, brackets)), 64)).toBe(true);
    expect(nestsDeeperThan(bytesOf(deep(64, "x".repeat(100_000))), 64)).toBe(false);
    expect(nestsDeeperThan(bytesOf(`{"a":"${"[".repeat(100)}`), 64)).toBe(false); // unterminated: JSON.parse refuses it
  });
});
