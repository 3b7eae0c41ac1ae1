import { BentooError, type ModelRoute, type ProviderConfig } from "@bentoo/core";
import type { Answer, EmbeddingCall, JsonAnswer, ProviderAdapter, ProviderCall } from "../provider.js";
import { relayStream } from "../stream-relay.js";
import { UpstreamClient } from "../upstream-client.js";
import { mapUpstreamStatus } from "../upstream-status.js";
import { embedThrough } from "./embeddings.js";
import { passthroughAnswer } from "./passthrough-answer.js";
import { passthroughBody } from "./passthrough-request.js";
import { OpenAiChatPassthrough } from "./passthrough-stream.js";

/**
 * Provider type `openai`: any server that speaks OpenAI's Chat Completions
 * (OpenAI, vLLM, Ollama, LM Studio, Mistral, DeepSeek, Groq, and Anthropic's and
 * Google's compatibility endpoints). Bentoo appends `/chat/completions` (and
 * `/embeddings` for embedding models, embeddings.ts) to the base URL and sends
 * the credential as a Bearer token.
 * https://platform.openai.com/docs/api-reference/chat/create
 *
 * A Chat Completions client's request passes through (its body with the model
 * replaced; the answer with Bentoo's members rewritten). Requests of other client
 * APIs need a translation from Bentoo's terms, which this provider type does not
 * have yet: they are refused with a 400 that says so.
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly providerId: string;
  readonly #client: UpstreamClient;

  constructor(provider: ProviderConfig, apiKey: string | null, options: { connections?: number; maxAnswerBytes?: number } = {}) {
    this.providerId = provider.id;
    this.#client = new UpstreamClient(provider, { ...options, headers: apiKey === null ? {} : { authorization: `Bearer ${apiKey}` } });
  }

  async send(call: ProviderCall, route: ModelRoute): Promise<Answer> {
    if (call.client.wire !== "openai-chat") {
      throw new BentooError(
        "invalid_request",
        `provider "${this.providerId}" speaks OpenAI's Chat Completions; this API cannot be served through it yet. Use POST /v1/chat/completions.`,
      );
    }
    const streamed = call.client.stream;
    const response = await this.#client.post("/chat/completions", passthroughBody(call, route), { streamed, cancellation: call.cancellation });
    if (response.kind === "streaming") {
      const translation = new OpenAiChatPassthrough(call);
      return { kind: "stream", pipeTo: (destination) => relayStream(this.#client, response, translation, destination, call.cancellation) };
    }
    if (response.status < 200 || response.status >= 300)
      throw mapUpstreamStatus(this.#client.provider, route.upstreamModel, response.status, response.body.toString("utf8"), response.retryAfterMs);
    if (response.truncated) throw this.#client.tooLarge();
    return passthroughAnswer(call, route, response.body);
  }

  embed(call: EmbeddingCall, route: ModelRoute): Promise<JsonAnswer> {
    return embedThrough(this.#client, call, route);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
