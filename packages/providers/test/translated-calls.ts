import { Writable } from "node:stream";
import type { AnswerWriter, ModelRequest, ModelResponse, ProviderConfig, StreamEvent, Usage, WireFormat } from "@bentoo/core";
import { cancellationOf } from "../src/cancellation.js";
import type { Answer, ProviderCall, StreamOutcome } from "../src/provider.js";
import { modelFor } from "./calls.js";

/**
 * A client API that writes answers in Bentoo's own terms as they are: a JSON
 * answer is the ModelResponse, a stream one StreamEvent per line and `END` for a
 * complete stream. Tests of translating providers read back exactly what the
 * translation made.
 */
export const recordingAnswers: AnswerWriter = {
  json: (response) => JSON.stringify(response),
  stream: () => ({ event: (event) => `${JSON.stringify(event)}\n`, end: () => "END\n" }),
};

export function providerOfType(type: ProviderConfig["type"], baseUrl: string, id = "gemini"): ProviderConfig {
  return { id, type, baseUrl, apiKeyEnv: "GEMINI_API_KEY", timeoutMs: 10_000, maxRetries: 0, maxRetryWaitMs: 0, outputLimitParam: "max_tokens" };
}

/** A call in Bentoo's terms, as the gateway makes it for a client whose API the provider does not speak. The cost is 10 micros per output token. */
export function translatedCall(
  upstreamModel: string,
  request: ModelRequest,
  options: { signal?: AbortSignal; providerId?: string; wire?: WireFormat } = {},
): ProviderCall {
  return {
    requestId: "req_test",
    model: modelFor(options.providerId ?? "gemini", upstreamModel),
    client: { wire: options.wire ?? "openai-chat", stream: request.stream, streamUsage: true, request, body: {}, raw: null, answers: recordingAnswers },
    cancellation: cancellationOf(options.signal ?? new AbortController().signal),
    usageExtras: (usage: Usage) => ({ cost_micros: usage.outputTokens * 10 }),
  };
}

/** A JSON answer's ModelResponse, as the recording writer wrote it. */
export function jsonAnswer(answer: Answer): ModelResponse {
  if (answer.kind !== "json") throw new Error("expected a JSON answer");
  return JSON.parse(String(answer.body())) as ModelResponse;
}

/** Pipes a stream answer into a collecting client; returns the events written, whether `END` came, and the outcome. */
export async function streamAnswer(answer: Answer): Promise<{ events: StreamEvent[]; ended: boolean; outcome: StreamOutcome }> {
  if (answer.kind !== "stream") throw new Error("expected a stream");
  let text = "";
  const client = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString("utf8");
      done();
    },
  });
  const outcome = await answer.pipeTo(client);
  const lines = text.split("\n").filter((line) => line !== "");
  const ended = lines.at(-1) === "END";
  return { events: lines.filter((line) => line !== "END").map((line) => JSON.parse(line) as StreamEvent), ended, outcome };
}
