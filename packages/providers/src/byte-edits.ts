/** A change to a run of bytes: [start, end) becomes `bytes`. */
export interface ByteEdit {
  start: number;
  end: number;
  bytes: Buffer;
}

/**
 * `source` with the edits applied (in order, not overlapping), as one new
 * buffer; `source` itself when there are none.
 */
export function applyEdits(source: Buffer, edits: readonly ByteEdit[]): Buffer {
  if (edits.length === 0) return source;
  const pieces: Buffer[] = [];
  let from = 0;
  for (const edit of edits) {
    pieces.push(source.subarray(from, edit.start), edit.bytes);
    from = edit.end;
  }
  pieces.push(source.subarray(from));
  return Buffer.concat(pieces);
}

/** Characters of a needle looked for before the rest is compared (see `occurrences`). */
const PROBE_LENGTH = 6;

/**
 * Where `needle` occurs in `text`, left to right, without overlaps. The search
 * looks for a few characters of the needle (after its first, which in JSON is a
 * quote: the most common character) and compares the whole needle in place:
 * V8 prepares a skip table for every search of a longer pattern, which for the
 * dozens of short hops through a stream's events cost more than the scan itself
 * (docs/performance.md, "Streams").
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
