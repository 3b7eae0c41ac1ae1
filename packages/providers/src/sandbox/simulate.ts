import { BentooError } from "@bentoo/core";
import { UpstreamError } from "../upstream-error.js";

/**
 * The failures a test key can ask for with `Bentoo-Simulate: <failure>`, so
 * that a client's handling of each can be tested offline (like Stripe's test
 * card numbers). Each is answered the way the live path fails, in the client
 * API's own shape: the gateway refuses `rate_limit` and `insufficient_credits`
 * at admission, the sandbox fails the others as an upstream would.
 */
export const SIMULATED_FAILURES = [
  "rate_limit",
  "insufficient_credits",
  "upstream_error",
  "upstream_timeout",
  "overloaded",
  "stream_interrupted",
  "content_filter",
] as const;
export type SimulatedFailure = (typeof SIMULATED_FAILURES)[number];

export function isSimulatedFailure(value: string): value is SimulatedFailure {
  return (SIMULATED_FAILURES as readonly string[]).includes(value);
}

const NOTE = "(simulated with Bentoo-Simulate on a test key)";

/**
 * The upstream failure the sandbox answers a simulation with before any byte
 * of an answer: what a provider's 500, a timeout, an overload, or (without a
 * stream to cut) a connection lost midway becomes on the live path. Null for a
 * simulation that is no such failure.
 */
export function simulatedUpstreamFailure(failure: SimulatedFailure, stream: boolean): BentooError | null {
  switch (failure) {
    case "upstream_error":
      return new UpstreamError("upstream_error", `provider "sandbox" failed with HTTP 500; retry, or try another model. ${NOTE}`, true);
    case "upstream_timeout":
      return new UpstreamError("upstream_timeout", `provider "sandbox" did not answer in time; retry, or try another model. ${NOTE}`, true);
    case "overloaded":
      return new UpstreamError("upstream_unavailable", `provider "sandbox" is overloaded (HTTP 529); retry shortly, or try another model. ${NOTE}`, true);
    case "stream_interrupted":
      return stream ? null : new UpstreamError("upstream_error", `provider "sandbox" broke off the answer midway; retry. ${NOTE}`, true);
    default:
      return null;
  }
}

/** How a simulated stream breaks off: the failure the pipeline reports in-band, after about half the answer. */
export function simulatedStreamBreak(): BentooError {
  return new BentooError("upstream_error", `provider "sandbox" broke off the stream midway; the answer is cut short. ${NOTE}`);
}
