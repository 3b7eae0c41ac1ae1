/**
 * Server-sent events decoding, after the WHATWG HTML "event stream interpretation":
 * lines end with `\r\n`, `\n` or `\r`; `:` starts a comment; `data` lines of one
 * event are joined with `\n`; a blank line dispatches the event. Network chunks
 * may split anywhere, including inside a line ending or a multi-byte character.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

export interface ServerSentEvent {
  /** The `event:` field, `null` when absent (the default "message" type). */
  event: string | null;
  data: string;
  id: string | null;
}

/** Splits text that arrives in pieces into lines, holding back an unfinished line. */
export class LineDecoder {
  #buffer = "";
  /** Where to resume scanning `#buffer`: everything before it holds no line ending. */
  #scanFrom = 0;

  push(text: string): string[] {
    this.#buffer += text;
    return this.#drain(false);
  }

  /** Called at the end of the input: returns the last, unterminated line if any. */
  flush(): string[] {
    const lines = this.#drain(true);
    if (this.#buffer !== "") lines.push(this.#buffer);
    this.#buffer = "";
    this.#scanFrom = 0;
    return lines;
  }

  #drain(final: boolean): string[] {
    const lines: string[] = [];
    const buffer = this.#buffer;
    let lineStart = 0;
    let index = this.#scanFrom;
    for (; index < buffer.length; index++) {
      const char = buffer.charCodeAt(index);
      if (char === 0x0a) {
        lines.push(buffer.slice(lineStart, index));
        lineStart = index + 1;
      } else if (char === 0x0d) {
        // A `\r` at the end of the input so far may be the first half of `\r\n`.
        if (index + 1 === buffer.length && !final) break;
        lines.push(buffer.slice(lineStart, index));
        if (buffer.charCodeAt(index + 1) === 0x0a) index++;
        lineStart = index + 1;
      }
    }
    this.#buffer = buffer.slice(lineStart);
    this.#scanFrom = index - lineStart;
    return lines;
  }
}

/** Accumulates the fields of one event and emits it at each blank line. */
export class EventDecoder {
  #event: string | null = null;
  #id: string | null = null;
  #data: string[] = [];

  /** Feeds one line; returns the finished event when the line is blank. */
  push(line: string): ServerSentEvent | null {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    // `retry` and unknown fields are ignored: the SDK does not reconnect.
    return null;
  }

  #dispatch(): ServerSentEvent | null {
    const hasContent = this.#data.length > 0 || this.#event !== null;
    const event: ServerSentEvent = { event: this.#event, data: this.#data.join("\n"), id: this.#id };
    this.#event = null;
    this.#data = [];
    return hasContent ? event : null;
  }
}

/**
 * Reads a response body as server-sent events. Leaving the loop early (break,
 * throw, `return()`) cancels the body, which closes the connection.
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const textDecoder = new TextDecoder("utf-8");
  const lines = new LineDecoder();
  const events = new EventDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? textDecoder.decode() : textDecoder.decode(value, { stream: true });
      const decoded = lines.push(text);
      if (done) decoded.push(...lines.flush());
      for (const line of decoded) {
        const event = events.push(line);
        if (event !== null) yield event;
      }
      if (done) break;
    }
    // An event not closed by a blank line is incomplete and dropped (WHATWG rule), so
    // a truncated body reads as "ended early" rather than as half an event.
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
