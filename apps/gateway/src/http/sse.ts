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
