import { UpstreamError } from "../upstream-error.js";

/**
 * Refuses a request the Gemini translation cannot carry: a 400 `invalid_request`
 * naming what cannot go, never a silent drop. It is retryable, so a model with
 * another route (of another provider type, which may carry it) moves on to it;
 * when no route can serve the request, this is the error the client gets.
 */
export function refuse(message: string, param: string | null = null): never {
  throw new UpstreamError("invalid_request", message, true, { param });
}
