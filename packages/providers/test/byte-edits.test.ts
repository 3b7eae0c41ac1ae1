import { describe, expect, it } from "vitest";
import { applyEdits, latin1View, occurrences } from "../src/byte-edits.js";

describe("occurrences", () => {
  it("finds every occurrence of a member, left to right, including next to each other and at the ends", () => {
    const member = '"model":"gpt-4o"';
    const text = `${member}{"a":1,${member}}${member}${member}`;
    expect(occurrences(text, member)).toEqual([0, 23, 40, 56]);
  });

  it("does not take a near miss (same first characters, another value) for the member", () => {
    expect(occurrences('"model":"gpt-4o-mini" "model":"gpt-4o"', '"model":"gpt-4o"')).toEqual([22]);
    expect(occurrences('"model":"gpt-4', '"model":"gpt-4o"')).toEqual([]);
    expect(occurrences('model":"gpt-4o"', '"model":"gpt-4o"')).toEqual([]);
  });
});

describe("applyEdits", () => {
  it("replaces, inserts and removes runs of bytes in one copy, leaving the source untouched", () => {
    const source = Buffer.from("0123456789");
    const view = source.toString("latin1");
    const edited = applyEdits(source, view, [
      { start: 1, end: 3, text: "ab" },
      { start: 5, end: 5, text: "+" },
      { start: 7, end: 9, text: "" },
    ]);
    expect(edited.toString()).toBe("0ab34+569");
    expect(source.toString()).toBe("0123456789");
    expect(applyEdits(source, view, [])).toBe(source);
  });

  it("keeps multi-byte UTF-8 whole, in the bytes edited and in the new ones", () => {
    const source = Buffer.from('data: {"model":"ünï","content":"🙂"}\n\n');
    const view = source.toString("latin1");
    const member = latin1View('"model":"ünï"');
    const [at] = occurrences(view, member);
    const edited = applyEdits(source, view, [{ start: at!, end: at! + member.length, text: latin1View('"model":"vendor/ünï 🙂"') }]);
    expect(edited.toString()).toBe('data: {"model":"vendor/ünï 🙂","content":"🙂"}\n\n');
  });
});
