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

/** Where `needle` occurs in `text`, left to right, without overlaps. */
export function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}
