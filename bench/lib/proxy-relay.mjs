// The upstream call shared by the two reference proxies (bare-proxy.mjs and
// fastify-proxy.mjs), so that both forward exactly the same bytes the same way.

/** Hop-by-hop headers stay on their own connection. */
const NOT_FORWARDED = new Set(["connection", "keep-alive", "transfer-encoding"]);
/** Towards the upstream, undici also sets the host and the length itself. */
const NOT_SENT_UPSTREAM = new Set([...NOT_FORWARDED, "host", "content-length"]);

function without(headers, names) {
  const kept = {};
  for (const name in headers) if (!names.has(name)) kept[name] = headers[name];
  return kept;
}

/**
 * Sends the buffered request to the upstream with Pool.stream and streams the
 * answer into `response` (a node:http ServerResponse) without parsing it; a
 * failure before the headers is a 502, after them a cut connection.
 */
export function relay(pool, { method, path, headers, body }, response) {
  pool.stream(
    { method, path, headers: without(headers, NOT_SENT_UPSTREAM), body },
    ({ statusCode, headers: answerHeaders }) => {
      response.writeHead(statusCode, without(answerHeaders, NOT_FORWARDED));
      return response;
    },
    (error) => {
      if (error === null || error === undefined) return;
      if (response.headersSent) response.destroy(error);
      else response.writeHead(502, { "content-type": "application/json" }).end('{"error":{"message":"bad gateway"}}');
    },
  );
}
