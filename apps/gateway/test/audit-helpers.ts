/**
 * Test-only helpers for the audit-log suites (apps/gateway/test/audit-api.test.ts,
 * e2e/audit-*.test.ts): a streaming RFC 4180 parser, streaming body readers that
 * never hold a whole download, and the "no secrets" grep.
 */

/** Bentoo key material: the prefix and at least 8 characters of a key body. */
export const KEY_MATERIAL = /btoo_sk_(live|test)_[0-9A-Za-z]{8,}/;

/**
 * Everything a grep must not find: key material (by shape), and the literal
 * values that were sent as Authorization headers or cookies (the full secrets,
 * the admin token, session cookie values). `values` shorter than 8 characters
 * are ignored (they would match by chance).
 */
export function findSecrets(text: string, values: Iterable<string>): string[] {
  const found: string[] = [];
  const shape = KEY_MATERIAL.exec(text);
  if (shape !== null) found.push(`key material ${shape[0].slice(0, 16)}… at ${shape.index}: …${text.slice(Math.max(0, shape.index - 80), shape.index)}`);
  for (const value of values) {
    if (value.length < 8) continue;
    const at = text.indexOf(value);
    if (at !== -1) found.push(`secret value ${value.slice(0, 6)}… at ${at}: …${text.slice(Math.max(0, at - 80), at)}`);
  }
  // An Authorization header as a log serializer or a record would write it (the
  // placeholder "Bearer btoo_sk_live_…" in Bentoo's own error messages is not a value).
  for (const header of text.matchAll(/"?authorization"?\s*[:=]\s*"?(bearer|basic)\s+([^\s"]+)/gi)) {
    if (header[2]!.includes("…")) continue;
    found.push(`authorization header value at ${header.index}: ${header[0].slice(0, 40)}`);
  }
  const cookie = /"?cookie"?\s*[:=]\s*"?bentoo_session=\S+/i.exec(text);
  if (cookie !== null) found.push(`cookie header value at ${cookie.index}`);
  return found;
}

/**
 * A strict, streaming RFC 4180 parser: fields separated by commas, records by
 * CRLF, a quoted field may hold commas, CR, LF and doubled quotes. Anything
 * else (a bare LF or CR between records, a quote inside an unquoted field,
 * text after a closing quote) throws, so a malformed export fails the test.
 */
export class CsvStreamParser {
  private state: "field_start" | "unquoted" | "quoted" | "quote_in_quoted" | "cr" = "field_start";
  private field = "";
  private row: string[] = [];
  private offset = 0;
  rows = 0;

  constructor(private readonly onRow: (row: string[]) => void) {}

  push(text: string): void {
    const length = text.length;
    let index = 0;
    while (index < length) {
      const char = text[index]!;
      switch (this.state) {
        case "field_start":
          if (char === '"') {
            this.state = "quoted";
            break;
          }
          this.state = "unquoted";
          continue; // re-read as part of an unquoted field
        case "unquoted": {
          // Fast path: copy a run of ordinary characters at once.
          let end = index;
          while (end < length) {
            const c = text.charCodeAt(end);
            if (c === 44 /* , */ || c === 13 /* \r */ || c === 10 /* \n */ || c === 34 /* " */) break;
            end += 1;
          }
          if (end > index) {
            this.field += text.slice(index, end);
            index = end;
            continue;
          }
          if (char === ",") this.endField();
          else if (char === "\r") this.state = "cr";
          else if (char === "\n") throw this.error("bare LF outside a quoted field (records end with CRLF)");
          else throw this.error("quote inside an unquoted field");
          break;
        }
        case "quoted": {
          const end = text.indexOf('"', index);
          if (end === -1) {
            this.field += text.slice(index);
            this.offset += length - index;
            return;
          }
          this.field += text.slice(index, end);
          this.offset += end - index;
          index = end;
          this.state = "quote_in_quoted";
          break;
        }
        case "quote_in_quoted":
          if (char === '"') {
            this.field += '"';
            this.state = "quoted";
          } else if (char === ",") this.endField();
          else if (char === "\r") this.state = "cr";
          else throw this.error(`text after a closing quote: ${JSON.stringify(char)}`);
          break;
        case "cr":
          if (char !== "\n") throw this.error("CR not followed by LF outside a quoted field");
          this.endRow();
          break;
      }
      index += 1;
      this.offset += 1;
    }
  }

  /** Call at the end of the stream: the export ends with CRLF, so nothing may be pending. */
  end(): void {
    if (this.state !== "field_start" || this.field !== "" || this.row.length !== 0) throw this.error(`stream ended inside a record (state ${this.state})`);
  }

  private endField(): void {
    this.row.push(this.field);
    this.field = "";
    this.state = "field_start";
  }

  private endRow(): void {
    this.row.push(this.field);
    this.field = "";
    const row = this.row;
    this.row = [];
    this.state = "field_start";
    this.rows += 1;
    this.onRow(row);
  }

  private error(message: string): Error {
    return new Error(`CSV: ${message} (record ${this.rows + 1}, character ${this.offset})`);
  }
}

/** Parses a whole CSV text (small documents). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const parser = new CsvStreamParser((row) => rows.push(row));
  parser.push(text);
  parser.end();
  return rows;
}

/** Reads a fetch body chunk by chunk as text; never holds more than one chunk. */
export async function forEachTextChunk(body: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<number> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let bytes = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    onText(decoder.decode(chunk, { stream: true }));
  }
  onText(decoder.decode());
  return bytes;
}

/** Splits streamed text into lines (LF), carrying the partial last line over; returns the flush function. */
export function lineSplitter(onLine: (line: string) => void): { push(text: string): void; end(): string } {
  let carry = "";
  return {
    push(text) {
      const parts = (carry + text).split("\n");
      carry = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    },
    /** Returns what was left after the last LF (should be ""). */
    end() {
      const rest = carry;
      carry = "";
      return rest;
    },
  };
}

/** A megabyte figure for printing. */
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
