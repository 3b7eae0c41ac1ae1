// Header handling shared by the two reference proxies (bare-proxy.mjs and
// fastify-proxy.mjs), so that both forward exactly the same bytes.

/** Hop-by-hop headers stay on their own connection. */
export const NOT_FORWARDED = new Set(["connection", "keep-alive", "transfer-encoding"]);
/** Towards the upstream, undici also sets the host and the length itself. */
export const NOT_SENT_UPSTREAM = new Set([...NOT_FORWARDED, "host", "content-length"]);

export function without(headers, names) {
  const kept = {};
  for (const name in headers) if (!names.has(name)) kept[name] = headers[name];
  return kept;
}
