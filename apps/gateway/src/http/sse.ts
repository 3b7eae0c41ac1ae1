/** Headers of every event stream: no caching, and no buffering by a proxy in front (nginx honours x-accel-buffering). */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
} as const;
