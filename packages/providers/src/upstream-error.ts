import { BentooError, type ErrorCode } from "@bentoo/core";

/**
 * An upstream failure before any byte reached the client. `retryable` tells the
 * gateway whether the next route of the model may be tried instead; `transient`
 * whether the same route may succeed if asked again shortly (a 429, a 5xx, a
 * refused connection), after `retryAfterMs` when the provider said how long.
 */
export class UpstreamError extends BentooError {
  readonly retryable: boolean;
  readonly transient: boolean;
  readonly retryAfterMs: number | null;

  constructor(
    code: ErrorCode,
    message: string,
    retryable: boolean,
    options: { param?: string | null; cause?: unknown; transient?: boolean; retryAfterMs?: number | null } = {},
  ) {
    super(code, message, options);
    this.name = "UpstreamError";
    this.retryable = retryable;
    this.transient = options.transient ?? false;
    this.retryAfterMs = options.retryAfterMs ?? null;
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
