import { APIUserAbortError } from "./errors.js";

/**
 * Retry policy, as openai-node's: retry 408, 409, 429 and 5xx responses and
 * connection failures; wait what the server asks (`retry-after-ms`, then
 * `Retry-After`) when that is between 0 and 60 s, otherwise back off exponentially
 * from 0.5 s to at most 8 s with up to 25 % jitter.
 */

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
const MAX_SERVER_DELAY_MS = 60_000;

/**
 * The clock and dice of the retry loop. Internal (not exported by the package):
 * tests replace them to assert exact delays without waiting.
 */
export const retryTiming: { sleep: (ms: number) => Promise<void>; random: () => number; now: () => number } = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
  now: () => Date.now(),
};

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long to wait before retry number `retryIndex + 1`.
 * @param retryIndex 0 before the first retry, 1 before the second, …
 * @param headers the failed response's headers, when there was a response
 */
export function retryDelayMs(retryIndex: number, headers?: Headers): number {
  const requested = headers === undefined ? undefined : serverRequestedDelayMs(headers);
  if (requested !== undefined) return requested;
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retryIndex, MAX_DELAY_MS);
  return base * (1 - retryTiming.random() * 0.25);
}

/** The first of `retry-after-ms` and `Retry-After` that holds a delay in (0, 60 s]. */
function serverRequestedDelayMs(headers: Headers): number | undefined {
  const candidates = [parseMilliseconds(headers.get("retry-after-ms")), parseRetryAfter(headers.get("retry-after"))];
  return candidates.find((delay) => delay !== undefined && delay > 0 && delay <= MAX_SERVER_DELAY_MS);
}

function parseMilliseconds(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const milliseconds = Number(value);
  return Number.isFinite(milliseconds) ? milliseconds : undefined;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - retryTiming.now();
}

/** Sleeps through `retryTiming.sleep`, but rejects as soon as the caller aborts. */
export async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return retryTiming.sleep(ms);
  if (signal.aborted) throw new APIUserAbortError();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new APIUserAbortError());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([retryTiming.sleep(ms), aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
  }
}
