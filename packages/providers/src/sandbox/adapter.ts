import type { Writable } from "node:stream";
import { basicUsage, type ModelResponse, type StreamEvent } from "@bentoo/core";
import {
  type Answer,
  answerContext,
  type EmbeddingCall,
  embeddingContext,
  type JsonAnswer,
  type ProviderAdapter,
  type ProviderCall,
  type StreamOutcome,
} from "../provider.js";
import { sandboxAnswer } from "./answer.js";
import { sandboxEmbeddings } from "./embeddings.js";
import { textPieces } from "./generate.js";
import { simulatedStreamBreak, simulatedUpstreamFailure } from "./simulate.js";

export const SANDBOX_PROVIDER_ID = "sandbox";

/** The answer as the events a provider's stream would carry. */
function streamEvents(response: ModelResponse): StreamEvent[] {
  const events: StreamEvent[] = [{ type: "start", id: response.id, created: response.created }];
  for (const choice of response.choices) {
    if (choice.reasoning !== null) for (const text of textPieces(choice.reasoning)) events.push({ type: "reasoning-delta", choice: choice.index, text });
    choice.toolCalls.forEach((call, index) => {
      events.push({ type: "tool-call-start", choice: choice.index, index, id: call.id, name: call.name });
      events.push({ type: "tool-call-delta", choice: choice.index, index, arguments: call.arguments });
      events.push({ type: "tool-call-end", choice: choice.index, index });
    });
    // Word-sized deltas, like a real model's token stream; each with its log probability when asked.
    if (choice.text !== null)
      textPieces(choice.text).forEach((text, index) => {
        const logprob = choice.logprobs?.[index];
        events.push(
          logprob === undefined ? { type: "text-delta", choice: choice.index, text } : { type: "text-delta", choice: choice.index, text, logprobs: [logprob] },
        );
      });
    const { stopSequence } = choice;
    events.push(
      stopSequence === undefined
        ? { type: "finish", choice: choice.index, reason: choice.finishReason }
        : { type: "finish", choice: choice.index, reason: choice.finishReason, stopSequence },
    );
  }
  events.push({ type: "usage", usage: response.usage });
  return events;
}

/** Writes `text`, waiting for the client to drain a full buffer; false when the client went away. */
async function write(destination: Writable, text: string): Promise<boolean> {
  if (destination.destroyed || destination.writableEnded) return false;
  if (text === "" || destination.write(text)) return true;
  return new Promise((resolve) => {
    const done = (drained: boolean) => {
      destination.off("drain", onDrain);
      destination.off("close", onClose);
      resolve(drained);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    destination.on("drain", onDrain);
    destination.on("close", onClose);
  });
}

/** The answer stopped by a content filter, as providers report one: no text, finish reason `content_filter`. */
function filtered(response: ModelResponse): ModelResponse {
  return {
    ...response,
    choices: response.choices.map((choice) => ({ ...choice, text: null, reasoning: null, toolCalls: [], finishReason: "content_filter" })),
    usage: { ...response.usage, outputTokens: 0, reasoningTokens: 0 },
  };
}

/**
 * Serves every `test`-mode key: deterministic answers made in Bentoo's own terms
 * and written in the client's API like any translated provider's, with real token
 * counts, never a network call and never a charge. A call's `simulate` makes it
 * fail as a provider would (simulate.ts).
 */
export class SandboxAdapter implements ProviderAdapter {
  readonly providerId = SANDBOX_PROVIDER_ID;

  constructor(private readonly now: () => number = Date.now) {}

  async send(call: ProviderCall): Promise<Answer> {
    const simulate = call.simulate ?? null;
    const failure = simulate === null ? null : simulatedUpstreamFailure(simulate, call.client.stream);
    if (failure !== null) throw failure;
    const answered = sandboxAnswer(call.client.request, call.model.id, Math.floor(this.now() / 1000));
    const response = simulate === "content_filter" ? filtered(answered) : answered;
    const context = answerContext(call);
    if (!call.client.stream) return { kind: "json", usage: response.usage, body: () => call.client.answers.json(response, context) };
    return {
      kind: "stream",
      pipeTo: async (destination): Promise<StreamOutcome> => {
        const writer = call.client.answers.stream(context);
        const events = streamEvents(response);
        // A simulated break comes after about half of the answer, before its finish and usage.
        const breakAt = simulate === "stream_interrupted" ? Math.max(1, Math.floor((events.length - 2) / 2)) : events.length;
        for (const [index, event] of events.entries()) {
          if (index === breakAt) {
            return { usage: basicUsage(response.usage.inputTokens, 0), completed: false, failure: simulatedStreamBreak(), clientAborted: false };
          }
          if (call.cancellation.cancelled || !(await write(destination, writer.event(event)))) {
            return { usage: basicUsage(response.usage.inputTokens, 0), completed: false, failure: null, clientAborted: true };
          }
        }
        await write(destination, writer.end());
        return { usage: response.usage, completed: true, failure: null, clientAborted: false };
      },
    };
  }

  /** Deterministic vectors for embedding models (embeddings.ts), written in the client's API. */
  async embed(call: EmbeddingCall): Promise<JsonAnswer> {
    // An embeddings answer is one JSON body: a simulated stream break fails it as a connection lost midway; no content filter applies.
    const failure = call.simulate == null ? null : simulatedUpstreamFailure(call.simulate, false);
    if (failure !== null) throw failure;
    const response = sandboxEmbeddings(call.request, call.model);
    return { kind: "json", usage: response.usage, body: () => call.answers.json(response, embeddingContext(call)) };
  }

  async close(): Promise<void> {}
}
