import { BentooError, type ModelRoute, type ProviderConfig } from "@bentoo/core";
import { type Answer, answerContext, type EmbeddingCall, type JsonAnswer, type ProviderAdapter, type ProviderCall } from "../provider.js";
import { relayStream } from "../stream-relay.js";
import { countedUsage } from "../tokenizer.js";
import { UpstreamClient, type WholeResponse } from "../upstream-client.js";
import { mapUpstreamStatus } from "../upstream-status.js";
import { embedThrough } from "./embeddings.js";
import { passthroughAnswer } from "./passthrough-answer.js";
import { passthroughBody } from "./passthrough-request.js";
import { OpenAiChatPassthrough } from "./passthrough-stream.js";
import { readChatCompletion } from "./translated-answer.js";
import { chatCompletionsBody } from "./translated-request.js";
import { OpenAiChatStreamTranslation } from "./translated-stream.js";

/**
 * Provider type `openai`: any server that speaks OpenAI's Chat Completions
 * (OpenAI, vLLM, Ollama, LM Studio, Mistral, DeepSeek, Groq, and Anthropic's and
 * Google's compatibility endpoints). Bentoo appends `/chat/completions` (and
 * `/embeddings` for embedding models, embeddings.ts) to the base URL and sends
 * the credential as a Bearer token.
 * https://platform.openai.com/docs/api-reference/chat/create
 *
 * A Chat Completions client's request passes through (its body with the model
 * replaced; the answer with Bentoo's members rewritten). A client of another API
 * (Responses, Messages) is translated through Bentoo's terms: the Chat
 * Completions request written from its ModelRequest (translated-request.ts), the
 * answer or stream read into a ModelResponse or StreamEvents
 * (translated-answer.ts, translated-stream.ts) that the client's API writes.
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly providerId: string;
  readonly #client: UpstreamClient;
  readonly #now: () => number;

  constructor(provider: ProviderConfig, apiKey: string | null, options: { connections?: number; maxAnswerBytes?: number; now?: () => number } = {}) {
    const { now, ...clientOptions } = options;
    this.providerId = provider.id;
    this.#now = now ?? Date.now;
    this.#client = new UpstreamClient(provider, { ...clientOptions, headers: apiKey === null ? {} : { authorization: `Bearer ${apiKey}` } });
  }

  async send(call: ProviderCall, route: ModelRoute): Promise<Answer> {
    if (call.client.wire !== "openai-chat") return this.#translated(call, route);
    const streamed = call.client.stream;
    const response = await this.#client.post("/chat/completions", passthroughBody(call, route), { streamed, cancellation: call.cancellation });
    if (response.kind === "streaming") {
      const translation = new OpenAiChatPassthrough(call);
      return { kind: "stream", pipeTo: (destination) => relayStream(this.#client, response, translation, destination, call.cancellation) };
    }
    return passthroughAnswer(call, route, this.#answerBytes(route, response));
  }

  async #translated(call: ProviderCall, route: ModelRoute): Promise<Answer> {
    const body = JSON.stringify(
      chatCompletionsBody({ ...call.client.request, stream: call.client.stream }, call.model, this.#client.provider, route.upstreamModel),
    );
    const response = await this.#client.post("/chat/completions", body, { streamed: call.client.stream, cancellation: call.cancellation });
    const created = Math.floor(this.#now() / 1000);
    if (response.kind === "streaming") {
      const translation = new OpenAiChatStreamTranslation(call, created);
      return { kind: "stream", pipeTo: (destination) => relayStream(this.#client, response, translation, destination, call.cancellation) };
    }
    const bytes = this.#answerBytes(route, response);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString("utf8"));
    } catch {
      parsed = null;
    }
    const read = readChatCompletion(parsed, created);
    if (read === null) throw new BentooError("upstream_bad_response", `provider "${this.providerId}" answered with something that is not a chat completion.`);
    const { response: answer } = read;
    if (!read.reported) {
      // No usage reported: Bentoo counts the prompt and the answers, and says so.
      const text = answer.choices
        .map((choice) => (choice.text ?? "") + (choice.reasoning ?? "") + choice.toolCalls.map((tool) => tool.name + tool.arguments).join(""))
        .join("");
      answer.usage = countedUsage(call.client.request, text);
    }
    return { kind: "json", usage: answer.usage, body: () => call.client.answers.json(answer, answerContext(call)) };
  }

  /** A whole answer's bytes, once its status says it is one. */
  #answerBytes(route: ModelRoute, response: WholeResponse): Buffer {
    if (response.status < 200 || response.status >= 300)
      throw mapUpstreamStatus(this.#client.provider, route.upstreamModel, response.status, response.body.toString("utf8"), response.retryAfterMs);
    if (response.truncated) throw this.#client.tooLarge();
    return response.body;
  }

  embed(call: EmbeddingCall, route: ModelRoute): Promise<JsonAnswer> {
    return embedThrough(this.#client, call, route);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
