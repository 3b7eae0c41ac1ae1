import type { Cancellation } from "./provider.js";

/** A Cancellation that follows an AbortSignal (for callers that have one). */
export function cancellationOf(signal: AbortSignal): Cancellation {
  return {
    get cancelled() {
      return signal.aborted;
    },
    onCancel(listener) {
      if (signal.aborted) listener();
      else signal.addEventListener("abort", listener, { once: true });
    },
  };
}
