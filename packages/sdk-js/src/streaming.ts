import { APIConnectionError, APIError, BentooError, errorFromBody, isRecord, statusOfErrorObject } from "./errors.js";
import { readServerSentEvents } from "./sse-decoder.js";

/**
 * A streamed response, read as server-sent events whose `data` is JSON and whose end
 * is `data: [DONE]` (or, for an API without it such as the Responses API, the event
 * `isLast` recognises). Iterate it once with `for await`; `break` or `abort()` closes
 * the connection. Errors reported inside the stream (an `event: error`, or a payload
 * with a top-level `error` object) throw the matching `APIError`; a body that ends
 * before its end throws `APIConnectionError`. A stream is never retried once its
 * body has started.
 */
export class Stream<Item> implements AsyncIterable<Item> {
  /** Aborting it cancels the request and ends the iteration quietly. */
  readonly controller: AbortController;
  readonly response: Response;
  readonly #onDone: () => void;
  readonly #isLast: ((item: Item) => boolean) | null;
  #iterated = false;

  constructor(response: Response, controller: AbortController, onDone: () => void = () => undefined, isLast: ((item: Item) => boolean) | null = null) {
    this.response = response;
    this.controller = controller;
    this.#onDone = onDone;
    this.#isLast = isLast;
  }

  /** Cancels the request; a running `for await` ends without an error. */
  abort(): void {
    this.controller.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<Item> {
    if (this.#iterated) throw new BentooError("This stream was already iterated: a Stream can be read only once.");
    this.#iterated = true;
    return this.#iterate();
  }

  async *#iterate(): AsyncGenerator<Item, void, undefined> {
    let completed = false;
    try {
      const body = this.response.body;
      if (body === null) throw new APIConnectionError({ message: "The streamed response has no body." });
      for await (const event of readServerSentEvents(body)) {
        if (event.data === "[DONE]") {
          completed = true;
          return;
        }
        if (event.event === "error") throw this.#errorFrom(event.data);
        const payload = parseEventData(event.data);
        if (isRecord(payload) && isRecord(payload.error)) throw this.#errorFrom(event.data);
        yield payload as Item;
        if (this.#isLast?.(payload as Item) === true) {
          completed = true;
          return;
        }
      }
      if (this.controller.signal.aborted) return;
      throw new APIConnectionError({
        message: `The stream ended before ${this.#isLast === null ? "[DONE]" : "its last event"}: the connection was closed early.`,
      });
    } catch (error) {
      if (error instanceof BentooError) throw error;
      if (this.controller.signal.aborted) return;
      throw new APIConnectionError({ message: "The connection was lost while reading the stream.", cause: error });
    } finally {
      // Leaving early (break, error) must release the connection, not leave it open.
      if (!completed) this.controller.abort();
      this.#onDone();
    }
  }

  #errorFrom(data: string): APIError {
    const error = errorFromBody(data);
    return APIError.generate(statusOfErrorObject(error), error, "The server reported an error in the stream.", this.response.headers);
  }
}

function parseEventData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch (cause) {
    const preview = data.length > 200 ? `${data.slice(0, 200)}…` : data;
    throw new BentooError(`Could not parse a stream event as JSON: ${preview}`, { cause });
  }
}
