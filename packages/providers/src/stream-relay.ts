import type { Writable } from "node:stream";
import { BentooError, type Usage } from "@bentoo/core";
import type { Cancellation, StreamOutcome } from "./provider.js";
import type { StreamingResponse, UpstreamClient } from "./upstream-client.js";
import { ClientAbortedError } from "./upstream-error.js";

/** What a provider's stream said at its end. */
export interface StreamEnd {
  /** Client bytes still to write (a last event the provider sent without its blank line). */
  tail: Buffer | string | null;
  usage: Usage;
  /** The provider ended the stream as complete (Chat Completions' `[DONE]`). */
  done: boolean;
  /** The message of an error the provider reported in the stream, if any. */
  error: string | null;
}

/** Turns a provider's streamed bytes into the client's, chunk by chunk. */
export interface StreamTranslation {
  /** The client's bytes for one chunk of the provider's stream; null when there is nothing to write yet. */
  chunk(bytes: Buffer): Buffer | string | null;
  /** Called once, when the provider's stream is over (or broke). */
  finish(): StreamEnd;
}

/**
 * The one stream relay every provider uses: takes the provider's response body
 * chunk by chunk, writes what the translation makes of each to the client as it
 * arrives, pauses the provider while the client's buffer is full, and reports
 * how the stream ended. A stream that breaks, or ends incomplete, is a failure
 * the pipeline reports in-band; a client that left is not.
 */
export function relayStream(
  client: UpstreamClient,
  response: StreamingResponse,
  translation: StreamTranslation,
  destination: Writable,
  cancellation: Cancellation,
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const resume = () => response.resume();
    response.stream({
      data(chunk) {
        const bytes = translation.chunk(chunk);
        if (bytes === null || bytes.length === 0 || destination.destroyed || destination.write(bytes)) return true;
        destination.once("drain", resume);
        return false;
      },
      end(error) {
        destination.off("drain", resume);
        const end = translation.finish();
        if (end.tail !== null && !destination.destroyed) destination.write(end.tail);
        const clientAborted = cancellation.cancelled || error instanceof ClientAbortedError || destination.destroyed;
        resolve(outcome(client, end, error, clientAborted, cancellation));
      },
    });
  });
}

function outcome(client: UpstreamClient, end: StreamEnd, error: Error | null, clientAborted: boolean, cancellation: Cancellation): StreamOutcome {
  const provider = client.provider;
  let failure: BentooError | null = null;
  if (clientAborted) return { usage: end.usage, completed: end.done, failure, clientAborted };
  if (error !== null) {
    const mapped = client.transportError(error, cancellation);
    failure =
      mapped instanceof BentooError && mapped.code === "upstream_timeout"
        ? mapped
        : new BentooError("upstream_error", `provider "${provider.id}" broke off the stream midway; the answer is cut short.`);
  } else if (!end.done) {
    failure =
      end.error === null
        ? new BentooError("upstream_error", `provider "${provider.id}" ended the stream before it was complete; the answer is cut short.`)
        : new BentooError("upstream_error", `provider "${provider.id}" reported an error mid-stream: ${end.error}`);
  }
  return { usage: end.usage, completed: end.done, failure, clientAborted: false };
}
