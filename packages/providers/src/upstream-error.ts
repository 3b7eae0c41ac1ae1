import { BentooError, type ErrorCode } from "@bentoo/core";

/**
 * An upstream failure before any byte reached the client. `retryable` tells the
 * gateway whether the next route of the model may be tried instead.
 */
export class UpstreamError extends BentooError {
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, retryable: boolean, options: { param?: string | null; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "UpstreamError";
    this.retryable = retryable;
  }
}

export function isRetryableUpstreamError(error: unknown): boolean {
  return error instanceof UpstreamError && error.retryable;
}

/** The client disconnected before the upstream answered; the gateway just stops. */
export class ClientAbortedError extends Error {
  constructor() {
    super("the client closed the connection");
    this.name = "ClientAbortedError";
  }
}
