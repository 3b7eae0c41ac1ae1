import { BentooError, type ModelRoute, type ProviderConfig } from "@bentoo/core";
import { type Answer, answerContext, type ProviderAdapter, type ProviderCall, type TokenCountCall } from "../provider.js";
import { relayStream } from "../stream-relay.js";
import { countRequestTokens, countTokens } from "../tokenizer.js";
import { UpstreamClient } from "../upstream-client.js";
import { UpstreamError } from "../upstream-error.js";
import { mapUpstreamStatus } from "../upstream-status.js";
import { isObject, readAnthropicMessage } from "./answer.js";
import { messagesPassthroughAnswer } from "./passthrough-answer.js";
import { messagesPassthroughBody } from "./passthrough-request.js";
import { AnthropicMessagesPassthrough } from "./passthrough-stream.js";
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
 * A client that speaks the Messages API itself passes through: its body goes
 * upstream as sent but for the model (passthrough-request.ts), with its
 * `anthropic-version` and `anthropic-beta` headers, and the answer or stream
 * comes back as sent but for the model, its usage read (passthrough-answer.ts,
 * passthrough-stream.ts); its token counts go to Anthropic's `count_tokens`.
 * Every other client API is translated through Bentoo's terms: the request is
 * written from the ModelRequest (request.ts), and the answer or stream is read
 * into a ModelResponse or StreamEvents (answer.ts, stream.ts) that the client's
 * API writes. Errors keep the shared status mapping
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
    if (call.client.wire === "anthropic-messages") return this.#passthrough(call, route);
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

  /** A Messages client's request, forwarded as it is (the model replaced) with its version and beta headers; the answer relayed. */
  async #passthrough(call: ProviderCall, route: ModelRoute): Promise<Answer> {
    const { body, raw, stream, headers } = call.client;
    const response = await this.#client.post("/messages", messagesPassthroughBody(body, raw, route), {
      streamed: stream,
      cancellation: call.cancellation,
      headers,
    });
    if (response.kind === "streaming") {
      const translation = new AnthropicMessagesPassthrough(call);
      return { kind: "stream", pipeTo: (destination) => relayStream(this.#client, response, translation, destination, call.cancellation) };
    }
    if (response.status < 200 || response.status >= 300) throw this.#statusError(route, response.status, response.body.toString("utf8"), response.retryAfterMs);
    if (response.truncated) throw this.#client.tooLarge();
    return messagesPassthroughAnswer(call, this.providerId, response.body);
  }

  /**
   * A Messages client's token count, forwarded to Anthropic's
   * `POST /v1/messages/count_tokens` (https://docs.anthropic.com/en/api/messages-count-tokens)
   * with the model replaced; null for a body of another API.
   */
  async countTokens(call: TokenCountCall, route: ModelRoute): Promise<number | null> {
    if (call.wire !== "anthropic-messages") return null;
    const body = messagesPassthroughBody(call.body, call.raw, route);
    const response = await this.#client.post("/messages/count_tokens", body, { streamed: false, cancellation: call.cancellation, headers: call.headers });
    if (response.kind !== "whole") throw new BentooError("upstream_bad_response", `provider "${this.providerId}" answered a token count with a stream.`);
    if (response.status < 200 || response.status >= 300) throw this.#statusError(route, response.status, response.body.toString("utf8"), response.retryAfterMs);
    const count = readTokenCount(response.body);
    if (count === null) throw new BentooError("upstream_bad_response", `provider "${this.providerId}" answered a token count without input_tokens.`);
    return count;
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

/** `input_tokens` of a token count's answer: a count of zero or more, else null. */
function readTokenCount(bytes: Buffer): number | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    return null;
  }
  const count = isObject(value) ? value.input_tokens : undefined;
  return typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? count : null;
}
