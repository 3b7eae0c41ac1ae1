import type { AnswerWriter, CatalogModel, JsonObject, ModelRequest, ProviderConfig, Usage } from "@bentoo/core";
import { cancellationOf } from "../src/cancellation.js";
import type { ProviderCall } from "../src/provider.js";

/** A request in Bentoo's terms with one user message. */
export function textRequest(text: string, overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    messages: [{ role: "user", parts: [{ type: "text", text }] }],
    tools: [],
    toolChoice: null,
    output: { type: "text" },
    maxOutputTokens: null,
    choices: 1,
    sampling: {},
    stop: [],
    reasoning: null,
    stream: false,
    unsupported: [],
    ...overrides,
  };
}

export function modelFor(providerId: string, upstreamModel: string, id = "vendor/chat"): CatalogModel {
  return {
    id,
    kind: "chat",
    routes: [{ providerId, upstreamModel }],
    inputMicrosPerMtok: 0,
    outputMicrosPerMtok: 0,
    cacheReadMicrosPerMtok: null,
    cacheWriteMicrosPerMtok: null,
    contextLength: 8192,
    maxOutputTokens: null,
    dimensions: null,
    ownedBy: providerId,
    created: 0,
  };
}

export function providerAt(baseUrl: string, id = "fake"): ProviderConfig {
  return { id, type: "openai", baseUrl, apiKeyEnv: null, timeoutMs: 10_000, maxRetries: 0, maxRetryWaitMs: 0, outputLimitParam: "max_tokens" };
}

const noAnswers: AnswerWriter = {
  json: () => {
    throw new Error("a passthrough never writes answers in Bentoo's terms");
  },
  stream: () => {
    throw new Error("a passthrough never writes answers in Bentoo's terms");
  },
};

/** A Chat Completions client's call, as the gateway makes it. The cost is 10 micros per output token. */
export function chatCall(model: CatalogModel, body: JsonObject, options: { raw?: boolean; signal?: AbortSignal; streamUsage?: boolean } = {}): ProviderCall {
  const stream = body.stream === true;
  const text = JSON.stringify(body);
  return {
    requestId: "req_test",
    model,
    client: {
      wire: "openai-chat",
      stream,
      streamUsage: options.streamUsage ?? (typeof body.stream_options === "object" && (body.stream_options as JsonObject | null)?.include_usage === true),
      request: textRequest("count", { stream }),
      body,
      raw: options.raw === false ? null : Buffer.from(text),
      answers: noAnswers,
    },
    cancellation: cancellationOf(options.signal ?? new AbortController().signal),
    usageExtras: (usage: Usage) => ({ cost_micros: usage.outputTokens * 10 }),
  };
}
