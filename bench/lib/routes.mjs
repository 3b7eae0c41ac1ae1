// The requests Bentoo is loaded with, one per route through it: the Chat
// Completions passthrough (client and provider speak the same API, the bytes
// relayed) and the translated paths (the client's API written for another
// provider type and its answers read back). Every route gets the same prompt and
// output limit, so the routes differ by their translation alone.

// About 20 words, so a stream carries 29 events: role, one per word, finish, usage, [DONE].
export const PROMPT = "Please write a short friendly greeting for the people who run this benchmark of the Bentoo gateway on a small machine today";

/** The catalog models of Bentoo's bench catalog, one per upstream kind (bench/lib/targets.mjs writes the catalog). */
export const BENCH_MODELS = { openai: "fake/bench", anthropic: "fake/bench-anthropic", gemini: "fake/bench-gemini", embedding: "fake/bench-embed" };

function chatBody(model, mode) {
  const body = { model, max_tokens: 64, messages: [{ role: "user", content: PROMPT }] };
  if (mode === "stream") Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return JSON.stringify(body);
}

/**
 * The same request in OpenAI's Responses API, as its clients send it: `store`
 * left at its default (true), so every answer is also stored for
 * `previous_response_id` before its last bytes go out.
 */
function responsesBody(model, mode, store = true) {
  const body = { model, max_output_tokens: 64, input: PROMPT, ...(store ? {} : { store: false }) };
  if (mode === "stream") body.stream = true;
  return JSON.stringify(body);
}

/** Anthropic's Messages API request of the same prompt and limit (a stream needs no option: its usage comes in message_start and message_delta). */
function messagesBody(model, mode) {
  const body = { model, max_tokens: 64, messages: [{ role: "user", content: PROMPT }] };
  if (mode === "stream") body.stream = true;
  return JSON.stringify(body);
}

/** Eight chunks of about 40 words, as a retrieval pipeline embeds them; base64, as the openai SDKs ask by default. */
function embeddingsBody() {
  const chunk = (index) =>
    `Chunk ${index} of a document about running an API gateway on a small machine: keys are checked, limits enforced, credits held and charged, and every request leaves an audit record that operators can export and search later.`;
  return JSON.stringify({ model: BENCH_MODELS.embedding, input: Array.from({ length: 8 }, (_, index) => chunk(index)), encoding_format: "base64" });
}

/** Route id → what it measures, the path it posts to and its body in each mode (`modes`: the modes it has, when not both). */
export const ROUTES = {
  chat: { label: "Chat Completions → openai (passthrough)", path: "/v1/chat/completions", body: (mode) => chatBody(BENCH_MODELS.openai, mode) },
  "chat-anthropic": {
    label: "Chat Completions → anthropic (translated)",
    path: "/v1/chat/completions",
    body: (mode) => chatBody(BENCH_MODELS.anthropic, mode),
  },
  "chat-gemini": { label: "Chat Completions → gemini (translated)", path: "/v1/chat/completions", body: (mode) => chatBody(BENCH_MODELS.gemini, mode) },
  responses: { label: "Responses → openai (translated, stored)", path: "/v1/responses", body: (mode) => responsesBody(BENCH_MODELS.openai, mode) },
  "responses-unstored": {
    label: "Responses → openai (translated, store: false)",
    path: "/v1/responses",
    body: (mode) => responsesBody(BENCH_MODELS.openai, mode, false),
  },
  messages: { label: "Messages → anthropic (passthrough)", path: "/v1/messages", body: (mode) => messagesBody(BENCH_MODELS.anthropic, mode) },
  "messages-openai": { label: "Messages → openai (translated)", path: "/v1/messages", body: (mode) => messagesBody(BENCH_MODELS.openai, mode) },
  embeddings: { label: "Embeddings → openai (passthrough)", path: "/v1/embeddings", body: () => embeddingsBody(), modes: ["json"] },
};

export function routeFor(id) {
  const route = ROUTES[id];
  if (route === undefined) throw new Error(`unknown route "${id}"; the routes are: ${Object.keys(ROUTES).join(", ")}`);
  return route;
}
