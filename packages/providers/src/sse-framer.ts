const LF_LF = Buffer.from("\n\n");
const CRLF_CRLF = Buffer.from("\r\n\r\n");

/**
 * Cuts a byte stream of server-sent events at event boundaries: each chunk of
 * bytes comes out as the complete events it finishes, and a trailing partial
 * event waits for the next chunk. Relays that rewrite an event (the usage event
 * gains the cost) then always see it whole, however TCP split it.
 * https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export class SseFramer {
  #partial: Buffer | null = null;

  /** The complete events `bytes` finishes (null when none), without copying when the chunk ends on a boundary. */
  push(bytes: Buffer): Buffer | null {
    const data = this.#partial === null ? bytes : Buffer.concat([this.#partial, bytes]);
    const end = endsOnBlankLine(data) ? data.length : Math.max(boundaryEnd(data, LF_LF), boundaryEnd(data, CRLF_CRLF));
    if (end === -1) {
      this.#partial = data;
      return null;
    }
    this.#partial = end === data.length ? null : data.subarray(end);
    return end === data.length ? data : data.subarray(0, end);
  }

  /** What is left once the stream ended: a last event without its blank line, if any. */
  rest(): Buffer | null {
    const rest = this.#partial;
    this.#partial = null;
    return rest;
  }
}

const LF = 0x0a;

/** A chunk whose last two bytes are line feeds ends on a boundary: the usual case, decided without a search. */
function endsOnBlankLine(data: Buffer): boolean {
  return data.length >= 2 && data[data.length - 1] === LF && data[data.length - 2] === LF;
}

function boundaryEnd(data: Buffer, boundary: Buffer): number {
  const at = data.lastIndexOf(boundary);
  return at === -1 ? -1 : at + boundary.length;
}
