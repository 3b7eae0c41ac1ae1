import { describe, expect, it } from "vitest";
import { applyEdits, occurrences } from "../src/byte-edits.js";

describe("occurrences", () => {
  it("finds every occurrence of a member, left to right, including next to each other and at the ends", () => {
    const member = '"model":"gpt-4o"';
    const text = `${member}{"a":1,${member}}${member}${member}`;
    expect(occurrences(text, member)).toEqual([0, 23, 40, 56]);
  });

  it("does not take a near miss (same first characters, another value) for the member", () => {
    expect(occurrences('"model":"gpt-4o-mini" "model":"gpt-4o"', '"model":"gpt-4o"')).toEqual([22]);
    expect(occurrences('"model":"gpt-4', '"model":"gpt-4o"')).toEqual([]);
  });
});

describe("applyEdits", () => {
  it("replaces, inserts and removes runs of bytes in one copy, leaving the source untouched", () => {
    const source = Buffer.from("0123456789");
    const edited = applyEdits(source, [
      { start: 1, end: 3, bytes: Buffer.from("ab") },
      { start: 5, end: 5, bytes: Buffer.from("+") },
      { start: 7, end: 9, bytes: Buffer.alloc(0) },
    ]);
    expect(edited.toString()).toBe("0ab34+569");
    expect(source.toString()).toBe("0123456789");
    expect(applyEdits(source, [])).toBe(source);
  });

  it("keeps multi-byte UTF-8 whole when the offsets come from a latin1 view of the bytes", () => {
    const source = Buffer.from('data: {"model":"ünï","content":"🙂"}\n\n');
    const view = source.toString("latin1");
    const member = Buffer.from('"model":"ünï"').toString("latin1");
    const [at] = occurrences(view, member);
    const edited = applyEdits(source, [{ start: at!, end: at! + member.length, bytes: Buffer.from('"model":"vendor/ünï"') }]);
    expect(edited.toString()).toBe('data: {"model":"vendor/ünï","content":"🙂"}\n\n');
  });
});
