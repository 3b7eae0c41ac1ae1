/**
 * Edits of a run of bytes, located and written through a latin1 view of them:
 * a latin1 string has one character per byte, so a character's index is its
 * byte's offset, and any byte sequence (multi-byte UTF-8 included) goes through
 * it unchanged.
 */

/** A change to the bytes: [start, end) becomes `text`, a latin1 view of the new bytes. */
export interface ByteEdit {
  start: number;
  end: number;
  text: string;
}

/** The latin1 view of `text`'s UTF-8 bytes (what `text` looks like in a view). */
export function latin1View(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

/**
 * The bytes whose latin1 view is `view` with the edits applied (in order, not
 * overlapping), as one new buffer; `source` itself when there are none.
 */
export function applyEdits(source: Buffer, view: string, edits: readonly ByteEdit[]): Buffer {
  if (edits.length === 0) return source;
  let edited = "";
  let from = 0;
  for (const edit of edits) {
    edited += view.slice(from, edit.start) + edit.text;
    from = edit.end;
  }
  return Buffer.from(edited + view.slice(from), "latin1");
}

/** Characters of a needle searched for before the whole needle is compared (see `occurrences`). */
const PROBE_LENGTH = 6;

/**
 * Where `needle` occurs in `text`, left to right, without overlaps. The search
 * looks for a few characters of the needle (after its first, which in JSON is a
 * quote, the most common character) and compares the whole needle in place:
 * V8 prepares a skip table for every search of a longer pattern, and a stream's
 * events make dozens of short searches (docs/performance.md, "Streams").
 */
export function occurrences(text: string, needle: string): number[] {
  const probe = needle.slice(1, 1 + PROBE_LENGTH);
  const found: number[] = [];
  for (let at = text.indexOf(probe, 1); at !== -1; at = text.indexOf(probe, at + 1)) {
    const start = at - 1;
    if (!text.startsWith(needle, start)) continue;
    found.push(start);
    at = start + needle.length - 1;
  }
  return found;
}
