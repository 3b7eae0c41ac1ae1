import { BentooError, type ModelRoute, replaceValues, topLevelMembers } from "@bentoo/core";
import { embeddingAnswerBytes } from "../embedding-answer-size.js";
import type { EmbeddingCall, JsonAnswer } from "../provider.js";
import { countedEmbeddingUsage } from "../tokenizer.js";
import type { UpstreamClient } from "../upstream-client.js";
import { mapUpstreamStatus } from "../upstream-status.js";
import { parsedAnswer, splicedAnswer } from "./passthrough-answer.js";

/**
 * OpenAI's Embeddings API, passed through
 * (https://platform.openai.com/docs/api-reference/embeddings/create): the
 * client's body goes to `{base_url}/embeddings` with only `model` replaced by
 * the route's upstream model, and the answer comes back as sent but for `model`
 * (the catalog id) and `usage` (with the cost). Vectors asked for in base64 pass
 * as the provider's bytes, never decoded. A provider that reports no usage (some
 * OpenAI-compatible servers) is metered with Bentoo's own count, marked estimated.
 */
export async function embedThrough(client: UpstreamClient, call: EmbeddingCall, route: ModelRoute): Promise<JsonAnswer> {
  const maxAnswerBytes = embeddingAnswerBytes(call);
  const response = await client.post("/embeddings", embeddingsBody(call, route), { streamed: false, cancellation: call.cancellation, maxAnswerBytes });
  if (response.kind === "streaming") throw new BentooError("upstream_bad_response", `provider "${route.providerId}" streamed an embeddings answer.`);
  if (response.status < 200 || response.status >= 300)
    throw mapUpstreamStatus(client.provider, route.upstreamModel, response.status, response.body.toString("utf8"), response.retryAfterMs);
  if (response.truncated) throw client.tooLarge(maxAnswerBytes);
  return (
    splicedAnswer(call, response.body) ??
    parsedAnswer(call, route, response.body, {
      noun: "an embeddings list",
      counted: () => countedEmbeddingUsage(call.request.inputs),
      usageJson: (usage) => ({ prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens }),
    })
  );
}

/** The client's body with the route's upstream model: spliced into the bytes as received when they are at hand, else serialised. */
function embeddingsBody(call: EmbeddingCall, route: ModelRoute): string | Buffer {
  const { raw, body } = call;
  const spans = raw === null ? null : topLevelMembers(raw, ["model"]);
  const model = spans?.[0];
  if (raw === null || model == null) return JSON.stringify({ ...body, model: route.upstreamModel });
  return replaceValues(raw, [[model, JSON.stringify(route.upstreamModel)]]);
}
