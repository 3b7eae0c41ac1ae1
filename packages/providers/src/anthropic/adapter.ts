import { BentooError, type ModelRoute, type ProviderConfig } from "@bentoo/core";
import { type Answer, answerContext, type ProviderAdapter, type ProviderCall } from "../provider.js";
import { relayStream } from "../stream-relay.js";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { UpstreamClient } from "../upstream-client.js";
import { UpstreamError } from "../upstream-error.js";
import { mapUpstreamStatus } from "../upstream-status.js";
import { readAnthropicMessage } from "./answer.js";
import { anthropicRequest } from "./request.js";
import { AnthropicStreamTranslation } from "./stream.js";
import { ANTHROPIC_VERSION } from "./wire.js";

/** Anthropic's status for "overloaded": its API is busy for everyone (https://docs.anthropic.com/en/api/errors). */
const OVERLOADED = 529;

/**
 * Provider type `anthropic`: Anthropic's native Messages API. Bentoo appends
 * `/messages` to the base URL and sends the credential as `x-api-key` with
 * `anthropic-version: 2023-06-01`.
 * https://docs.anthropic.com/en/api/messages
 *
 * Every client API is translated through Bentoo's terms: the request is written
 * from the ModelRequest (request.ts), and the answer or stream is read into a
 * ModelResponse or StreamEvents (answer.ts, stream.ts) that the client's API
 * writes. A client that speaks the Messages API itself is translated the same
 * way (no passthrough yet). Errors keep the shared status mapping
 * (upstream-status.ts), and a 529 `overloaded_error` is a 503 `upstream_unavailable`:
 * like a 429 or a 5xx it is transient (the route is asked again) and retryable
 * (the gateway falls back to the model's next route).
 */
export class AnthropicAdapter implements ProviderAdapter {
  readonly providerId: string;
  readonly #client: UpstreamClient;
  readonly #now: () => number;

  constructor(provider: ProviderConfig, apiKey: string | null, options: { connections?: number; maxAnswerBytes?: number; now?: () => number } = {}) {
    const { now, ...clientOptions } = options;
    this.providerId = provider.id;
    this.#now = now ?? Date.now;
    const headers: Record<string, string> = { "anthropic-version": ANTHROPIC_VERSION };
    if (apiKey !== null) headers["x-api-key"] = apiKey;
    this.#client = new UpstreamClient(provider, { ...clientOptions, headers });
  }

  async send(call: ProviderCall, route: ModelRoute): Promise<Answer> {
    const body = JSON.stringify(anthropicRequest({ ...call.client.request, stream: call.client.stream }, call.model, route.upstreamModel));
    const response = await this.#client.post("/messages", body, { streamed: call.client.stream, cancellation: call.cancellation });
    const created = Math.floor(this.#now() / 1000);
    if (response.kind === "streaming") {
      const translation = new AnthropicStreamTranslation(call, created);
      return { kind: "stream", pipeTo: (destination) => relayStream(this.#client, response, translation, destination, call.cancellation) };
    }
    if (response.status < 200 || response.status >= 300) throw this.#statusError(route, response.status, response.body.toString("utf8"), response.retryAfterMs);
    if (response.truncated) throw this.#client.tooLarge();
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body.toString("utf8"));
    } catch {
      parsed = null;
    }
    const read = readAnthropicMessage(parsed, created);
    if (read === null) throw new BentooError("upstream_bad_response", `provider "${this.providerId}" answered with something that is not a message.`);
    const { response: answer } = read;
    if (!read.reported) {
      // No usage reported: Bentoo counts the prompt and the answer, and says so.
      const choice = answer.choices[0]!;
      const text = (choice.text ?? "") + (choice.reasoning ?? "") + choice.toolCalls.map((tool) => tool.name + tool.arguments).join("");
      answer.usage = { ...answer.usage, inputTokens: countRequestTokens(call.client.request), outputTokens: countTokens(text), estimated: true };
    }
    return { kind: "json", usage: answer.usage, body: () => call.client.answers.json(answer, answerContext(call)) };
  }

  #statusError(route: ModelRoute, status: number, bodyText: string, retryAfterMs: number | null): UpstreamError {
    if (status === OVERLOADED) {
      return new UpstreamError("upstream_unavailable", `provider "${this.providerId}" is overloaded (HTTP 529); retry shortly, or try another model.`, true, {
        transient: true,
        retryAfterMs,
      });
    }
    return mapUpstreamStatus(this.#client.provider, route.upstreamModel, status, bodyText, retryAfterMs);
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
