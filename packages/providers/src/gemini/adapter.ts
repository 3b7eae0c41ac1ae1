import { BentooError, type ModelRoute, type ProviderConfig } from "@bentoo/core";
import { type Answer, answerContext, type EmbeddingCall, type JsonAnswer, type ProviderAdapter, type ProviderCall } from "../provider.js";
import { relayStream } from "../stream-relay.js";
import { UpstreamClient } from "../upstream-client.js";
import { geminiResponse } from "./answer.js";
import { embedWithGemini } from "./embeddings.js";
import { geminiError } from "./errors.js";
import { modelPath } from "./model-path.js";
import { toGeminiRequest } from "./request.js";
import { GeminiStream } from "./stream.js";
import { parseJson, readGeminiAnswer } from "./wire.js";

/**
 * Provider type `gemini`: Google's Gemini API, natively
 * (https://ai.google.dev/api/generate-content). Bentoo posts to
 * `{base_url}/models/{upstream_model}:generateContent`, or
 * `:streamGenerateContent?alt=sse` for a stream, with the key in `x-goog-api-key`
 * (https://ai.google.dev/gemini-api/docs/api-key). An `upstream_model` with a slash
 * (`tunedModels/…`) names its resource path whole.
 *
 * Every client API is served by translation: the request in Bentoo's terms is
 * written as Gemini's (request.ts, contents.ts), and Gemini's answer read back in
 * Bentoo's terms (answer.ts, stream.ts) and written in the client's API by its
 * dialect. Embedding models are served by batchEmbedContents (embeddings.ts).
 */
export class GeminiAdapter implements ProviderAdapter {
  readonly providerId: string;
  readonly #client: UpstreamClient;
  readonly #now: () => number;

  constructor(provider: ProviderConfig, apiKey: string | null, options: { connections?: number; maxAnswerBytes?: number; now?: () => number } = {}) {
    this.providerId = provider.id;
    this.#now = options.now ?? Date.now;
    this.#client = new UpstreamClient(provider, { ...options, headers: apiKey === null ? {} : { "x-goog-api-key": apiKey } });
  }

  async send(call: ProviderCall, route: ModelRoute): Promise<Answer> {
    const body = JSON.stringify(toGeminiRequest(call.client.request, route.upstreamModel));
    const streamed = call.client.stream;
    const path = `/${modelPath(route.upstreamModel)}:${streamed ? "streamGenerateContent?alt=sse" : "generateContent"}`;
    const response = await this.#client.post(path, body, { streamed, cancellation: call.cancellation });
    const created = Math.floor(this.#now() / 1000);
    if (response.kind === "streaming") {
      const translation = new GeminiStream(call, call.client.answers.stream(answerContext(call)), created);
      return { kind: "stream", pipeTo: (destination) => relayStream(this.#client, response, translation, destination, call.cancellation) };
    }
    if (response.status < 200 || response.status >= 300) throw geminiError(this.#client.provider, route.upstreamModel, response);
    if (response.truncated) throw this.#client.tooLarge();
    const answer = readGeminiAnswer(parseJson(response.body.toString("utf8")));
    if (answer === null || (answer.candidates.length === 0 && answer.blockReason === null))
      throw new BentooError("upstream_bad_response", `provider "${this.providerId}" answered with something that is not a Gemini GenerateContentResponse.`);
    const modelResponse = geminiResponse(answer, call.client.request, `gemini-${call.requestId}`, created);
    return { kind: "json", usage: modelResponse.usage, body: () => call.client.answers.json(modelResponse, answerContext(call)) };
  }

  /** Embedding models: batchEmbedContents (embeddings.ts). */
  embed(call: EmbeddingCall, route: ModelRoute): Promise<JsonAnswer> {
    return embedWithGemini(this.#client, call, route);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
