import { type JsonObject, type ModelRoute, replaceValues, topLevelMembers } from "@bentoo/core";

const MODEL_MEMBER = ["model"];

/**
 * A Messages client's body for an `anthropic` provider: the client's own, with
 * `model` set to the route's upstream model and everything else (`max_tokens`,
 * `system`, tools, thinking, beta members) as sent. Spliced into the bytes as
 * received when they are at hand, so the conversation is not serialised again;
 * otherwise, or when the bytes cannot be spliced safely (see topLevelMembers),
 * serialised from the parsed body.
 * https://docs.anthropic.com/en/api/messages
 */
export function messagesPassthroughBody(body: Readonly<JsonObject>, raw: Buffer | null, route: ModelRoute): string | Buffer {
  const span = raw === null ? null : topLevelMembers(raw, MODEL_MEMBER)?.[0];
  if (raw === null || span == null) return JSON.stringify({ ...body, model: route.upstreamModel });
  return replaceValues(raw, [[span, JSON.stringify(route.upstreamModel)]]);
}
