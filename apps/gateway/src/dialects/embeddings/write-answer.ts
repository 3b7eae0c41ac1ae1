import type { EmbeddingAnswerContext, EmbeddingResponse, Usage } from "@bentoo/core";

/**
 * Vectors in Bentoo's own terms (the sandbox's, a translated provider's)
 * written as OpenAI's embeddings list: `{"object":"list","data":[{"object":
 * "embedding","index","embedding"}],"model","usage"}`, each vector a list of
 * numbers or, with `encoding_format: "base64"`, its little-endian float32 bytes
 * in base64 (what OpenAI sends, and what its SDKs decode).
 * https://platform.openai.com/docs/api-reference/embeddings/object
 */
export function writeEmbeddings(response: EmbeddingResponse, context: EmbeddingAnswerContext): string {
  const encode = context.encoding === "base64" ? base64Vector : floatVector;
  let data = "";
  response.vectors.forEach((vector, index) => {
    data += `${index === 0 ? "" : ","}{"object":"embedding","index":${index},"embedding":${encode(vector)}}`;
  });
  return `{"object":"list","data":[${data}],"model":${JSON.stringify(context.model)},"usage":${JSON.stringify(embeddingUsage(response.usage, context))}}`;
}

function embeddingUsage(usage: Usage, context: EmbeddingAnswerContext): Record<string, unknown> {
  const body: Record<string, unknown> = { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens, ...context.usageExtras(usage) };
  if (usage.estimated) body.estimated = true;
  return body;
}

function floatVector(vector: ArrayLike<number>): string {
  return JSON.stringify(Array.from(vector));
}

function base64Vector(vector: ArrayLike<number>): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let index = 0; index < vector.length; index += 1) bytes.writeFloatLE(vector[index]!, index * 4);
  return `"${bytes.toString("base64")}"`;
}
