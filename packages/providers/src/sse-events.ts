import { createParser, type EventSourceParser } from "eventsource-parser";

/**
 * The reading and writing half of a stream translation that parses a
 * provider's SSE: it decodes the provider's bytes (UTF-8 split anywhere), hands
 * each event's data to `onData`, and collects the client's text that the
 * handler writes, to be taken once per chunk.
 */
export class SseEvents {
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  #out = "";

  constructor(onData: (data: string) => void) {
    this.#parser = createParser({ onEvent: ({ data }) => onData(data) });
  }

  /** Parses one chunk of the provider's stream; returns the client's text it made, or null when none. */
  feed(bytes: Buffer): string | null {
    this.#parser.feed(this.#decoder.decode(bytes, { stream: true }));
    return this.take();
  }

  /** At the end of the provider's stream: its last bytes, and a last event it sent without its blank line. */
  flush(): void {
    const rest = this.#decoder.decode();
    if (rest !== "") this.#parser.feed(rest);
    this.#parser.reset({ consume: true });
  }

  /** Adds client text to what the current chunk makes. */
  write(text: string): void {
    this.#out += text;
  }

  /** The client text made since the last take; null when there is none. */
  take(): string | null {
    const out = this.#out;
    this.#out = "";
    return out === "" ? null : out;
  }
}
