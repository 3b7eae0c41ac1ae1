import type { BentooError } from "@bentoo/core";

/** The SSE event that ends a stream which broke midway (instead of `[DONE]`), in OpenAI's error shape. */
export function sseErrorEvent(error: BentooError): string {
  return `data: ${JSON.stringify(error.toEnvelope())}\n\n`;
}

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;

/** Sets SSE_HEADERS on a response's headers object, in place (an object spread here cost microseconds per stream). */
export function withSseHeaders<T extends Record<string, unknown>>(headers: T): T {
  const target = headers as Record<string, unknown>;
  target["content-type"] = SSE_HEADERS["content-type"];
  target["cache-control"] = SSE_HEADERS["cache-control"];
  target.connection = SSE_HEADERS.connection;
  target["x-accel-buffering"] = SSE_HEADERS["x-accel-buffering"];
  return headers;
}
