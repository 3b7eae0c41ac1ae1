import { BentooError, type CatalogModel } from "@bentoo/core";
import { countPromptTokens, isRetryableUpstreamError } from "@bentoo/providers";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { anthropicMessages } from "../../dialects/anthropic-messages/index.js";
import { type CountTokensRequest, parseCountTokensRequest } from "../../dialects/anthropic-messages/parse-request.js";
import { COUNT_MESSAGE_TOKENS_SCHEMA } from "../../openapi/schemas/messages.js";
import { admit, setRateLimitHeaders } from "../../pipeline/admit.js";
import { ClientDisconnect } from "../../pipeline/client-disconnect.js";
import type { RequestEstimate } from "../../pipeline/estimate.js";
import { requireModelAllowed } from "../../pipeline/model-allowed.js";
import type { PipelineDeps } from "../../pipeline/model-route.js";
import { newMeter, type RequestMeter } from "../../pipeline/request-meter.js";
import { resolveModel } from "../../pipeline/resolve-model.js";
import { settleRequest } from "../../pipeline/settle.js";

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** A count reserves no tokens and holds no credits: it only takes its place in the requests-per-minute limit. */
const NOTHING_RESERVED: RequestEstimate = { promptTokens: 0, maxOutputTokens: 0, choices: 1, tokens: 0, maxCostMicros: 0 };

/**
 * POST /v1/messages/count_tokens — Anthropic's token count
 * (https://docs.anthropic.com/en/api/messages-count-tokens): `{model, messages,
 * system?, tools?, …}` → `{"input_tokens": N}`. A live key whose model's first
 * route is a provider that counts (type `anthropic`) gets the provider's own
 * count; otherwise, and when that provider cannot answer (unreachable, busy,
 * failing), Bentoo's tokenizer counts the prompt (an estimate for models that
 * tokenize differently). Authenticated and allowlisted like every gateway
 * request, counted against the requests-per-minute limit, never charged, and
 * audited (one record, cost 0).
 */
export function countTokensRoute(app: FastifyInstance, deps: PipelineDeps): void {
  app.post(
    "/v1/messages/count_tokens",
    { config: { dialect: anthropicMessages, scope: "inference" }, schema: COUNT_MESSAGE_TOKENS_SCHEMA },
    async (request, reply) => {
      const subject = request.subject!;
      const { key, account } = subject;
      void request.socket.remoteAddress;
      const parsed = parseCountTokensRequest(request.body);
      const model = resolveModel(deps.catalog, parsed.model, anthropicMessages.modelKind);
      const meter = newMeter(model.id);
      meter.costMicros = 0;
      request.meter = meter;
      requireModelAllowed(key, model);
      const admission = await admit(deps, reply, subject, NOTHING_RESERVED, false);
      if (admission.rateLimits !== null) setRateLimitHeaders(reply, admission.rateLimits, admission.keyRateLimits);
      try {
        const inputTokens = (key.mode === "live" ? await providerCount(deps, parsed, model, request, reply, meter) : null) ?? tokenizerCount(parsed, model);
        return reply.type(JSON_CONTENT_TYPE).send(JSON.stringify({ input_tokens: inputTokens }));
      } finally {
        settleRequest(deps, { accountId: account.id, apiKeyId: key.id, requestId: request.id }, admission, null, 0);
      }
    },
  );
}

/** The count of the model's first route's provider, when it counts; null when it cannot (Bentoo counts instead). */
async function providerCount(
  deps: PipelineDeps,
  parsed: CountTokensRequest,
  model: CatalogModel,
  request: FastifyRequest,
  reply: FastifyReply,
  meter: RequestMeter,
): Promise<number | null> {
  const route = model.routes[0];
  const adapter = route === undefined ? null : deps.providers.adapterFor(route.providerId);
  if (route === undefined || adapter === null || adapter instanceof BentooError || adapter.countTokens === undefined) return null;
  const started = performance.now();
  meter.provider = route.providerId;
  try {
    const count = await adapter.countTokens(
      {
        requestId: request.id,
        wire: anthropicMessages.wire,
        body: parsed.body,
        raw: request.rawBody,
        headers: anthropicMessages.passthroughHeaders?.(request.headers),
        cancellation: new ClientDisconnect(reply.raw),
      },
      route,
    );
    meter.upstreamMs = performance.now() - started;
    return count;
  } catch (error) {
    // A request the provider refused stays refused; a provider that could not count is replaced by the tokenizer.
    if (!isRetryableUpstreamError(error)) throw error;
    meter.provider = null;
    return null;
  }
}

/** The prompt's text counted, its images and files at their bound (within the model's context). */
function tokenizerCount(parsed: CountTokensRequest, model: CatalogModel): number {
  const prompt = countPromptTokens(parsed.request);
  return prompt.text + Math.min(prompt.media, model.contextLength);
}
