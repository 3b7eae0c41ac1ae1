// JSON read as bytes, for the request path: questions about a JSON text
// answered in one pass over its UTF-8 bytes, without parsing it into objects.
// Structural characters are ASCII and never occur inside a multi-byte UTF-8
// sequence, so no decoding is needed. Strings, which hold most of a chat
// request's bytes, are skipped with Buffer#indexOf (native) once they are long.

/** Where one member's value lies in a JSON text: bytes [start, end). */
export interface ValueSpan {
  start: number;
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index of the first byte at or after `index` that is not JSON whitespace (or `end`). */
export function skipSpace(bytes: Buffer, index: number, end = bytes.length): number {
  while (index < end && isSpace(bytes[index])) index += 1;
  return index;
}

/** Bytes of a string looked at one by one before the rest is searched natively (a call costs about as much as 30 bytes). */
const SHORT_STRING = 32;

/** The index just past the string whose opening quote is at `index`, or -1 when it never closes. */
export function stringEnd(bytes: Buffer, index: number, end = bytes.length): number {
  const short = Math.min(end, index + 1 + SHORT_STRING);
  let at = index + 1;
  for (; at < short; at += 1) {
    const byte = bytes[at];
    if (byte === BACKSLASH) at += 1;
    else if (byte === QUOTE) return at + 1;
  }
  if (at >= end) return -1;
  // A quote ends the string unless an odd number of backslashes comes right before it.
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote === -1 || quote >= end) return -1;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/**
 * Whether the JSON text nests deeper than `limit`. (V8's JSON.parse copes with
 * any depth, but JSON.stringify and every recursive walk after it do not.)
 */
export function nestsDeeperThan(bytes: Buffer, limit: number): boolean {
  let depth = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const byte = bytes[index];
    if (byte === QUOTE) {
      const after = stringEnd(bytes, index);
      if (after === -1) return false; // unterminated: JSON.parse refuses it
      index = after - 1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
  }
  return false;
}

/** The index just past the value starting at `index`, or -1 when it is cut short or unbalanced. */
function skipValue(bytes: Buffer, index: number, end: number): number {
  const first = bytes[index];
  if (first === QUOTE) return stringEnd(bytes, index, end);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    for (let at = index; at < end; at += 1) {
      const byte = bytes[at];
      if (byte === QUOTE) {
        at = stringEnd(bytes, at, end) - 1;
        if (at < 0) return -1;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) return at + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: it runs to the next separator.
  let at = index;
  while (at < end) {
    const byte = bytes[at];
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === QUOTE || byte === OPEN_BRACE || byte === OPEN_BRACKET || isSpace(byte))
      break;
    at += 1;
  }
  return at === index ? -1 : at;
}

function keyIs(bytes: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let offset = 0; offset < name.length; offset += 1) if (bytes[start + offset] !== name.charCodeAt(offset)) return false;
  return true;
}

/**
 * Finds the values of the named members of the JSON object in
 * `bytes[start, end)`, at its top level only, without parsing it: one pass
 * that follows strings and nesting. Returns null, so that the caller parses
 * the text instead, when it is not one object with nothing after it, when
 * braces, brackets or strings do not close, when a named member appears twice,
 * or when any key holds an escape (it could spell a name in another way). The
 * scalar values it skips are not checked. `names` must be plain ASCII.
 */
export function topLevelMembers(bytes: Buffer, names: readonly string[], start = 0, end = bytes.length): Array<ValueSpan | null> | null {
  const found: Array<ValueSpan | null> = names.map(() => null);
  let at = skipSpace(bytes, start, end);
  if (bytes[at] !== OPEN_BRACE) return null;
  at = skipSpace(bytes, at + 1, end);
  if (bytes[at] === CLOSE_BRACE) return skipSpace(bytes, at + 1, end) === end ? found : null;
  for (;;) {
    if (bytes[at] !== QUOTE) return null;
    const keyEnd = stringEnd(bytes, at, end);
    if (keyEnd === -1) return null;
    const keyStart = at + 1;
    const keyLast = keyEnd - 1; // the closing quote
    for (let index = keyStart; index < keyLast; index += 1) if (bytes[index] === BACKSLASH) return null;
    at = skipSpace(bytes, keyEnd, end);
    if (bytes[at] !== COLON) return null;
    const valueStart = skipSpace(bytes, at + 1, end);
    const valueEnd = valueStart < end ? skipValue(bytes, valueStart, end) : -1;
    if (valueEnd === -1) return null;
    for (let index = 0; index < names.length; index += 1) {
      if (!keyIs(bytes, keyStart, keyLast, names[index]!)) continue;
      if (found[index] !== null) return null;
      found[index] = { start: valueStart, end: valueEnd };
    }
    at = skipSpace(bytes, valueEnd, end);
    if (bytes[at] === COMMA) {
      at = skipSpace(bytes, at + 1, end);
      continue;
    }
    if (bytes[at] !== CLOSE_BRACE) return null;
    return skipSpace(bytes, at + 1, end) === end ? found : null;
  }
}

/**
 * `bytes` with each span's value replaced by the given JSON text, in one
 * buffer. Spans must not overlap.
 */
export function replaceValues(bytes: Buffer, replacements: ReadonlyArray<readonly [ValueSpan, string]>): Buffer {
  let ordered = replacements;
  for (let index = 1; index < replacements.length; index += 1) {
    if (replacements[index]![0].start < replacements[index - 1]![0].start) {
      ordered = [...replacements].sort((left, right) => left[0].start - right[0].start);
      break;
    }
  }
  let length = bytes.length;
  for (const [span, json] of ordered) length += Buffer.byteLength(json) - (span.end - span.start);
  const out = Buffer.allocUnsafe(length);
  let from = 0;
  let to = 0;
  for (const [span, json] of ordered) {
    to += bytes.copy(out, to, from, span.start);
    to += out.write(json, to);
    from = span.end;
  }
  bytes.copy(out, to, from);
  return out;
}
