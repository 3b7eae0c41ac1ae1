import { type ModelRoute, replaceValues, topLevelMembers, type ValueSpan } from "@bentoo/core";
import type { ProviderCall } from "../provider.js";

const FORWARDED_MEMBERS = ["model", "stream_options"];
const CLOSE_BRACE = 0x7d;

/** The client's stream_options with include_usage on: a stream is metered from the provider's own count. */
function streamOptions(requested: unknown): Record<string, unknown> {
  return { ...(typeof requested === "object" && requested !== null ? requested : {}), include_usage: true };
}

/**
 * The client's Chat Completions body for the provider: `model` set to the route's
 * upstream model and, for a stream, usage asked for. Spliced into the bytes as
 * received when they are at hand, so the (possibly long) conversation is not
 * serialised again; otherwise, or when the bytes cannot be spliced safely (see
 * topLevelMembers), serialised from the parsed body.
 */
export function passthroughBody(call: ProviderCall, route: ModelRoute): string | Buffer {
  const { raw, body, stream } = call.client;
  const spans = raw === null ? null : topLevelMembers(raw, FORWARDED_MEMBERS);
  if (raw === null || spans === null || spans[0] == null) {
    const payload: Record<string, unknown> = { ...body, model: route.upstreamModel };
    if (stream) payload.stream_options = streamOptions(body.stream_options);
    return JSON.stringify(payload);
  }
  const replacements: Array<[ValueSpan, string]> = [[spans[0], JSON.stringify(route.upstreamModel)]];
  if (stream) {
    const options = JSON.stringify(streamOptions(body.stream_options));
    // Absent, it goes in as the last member, before the closing brace (the last one in the bytes).
    const close = raw.lastIndexOf(CLOSE_BRACE);
    replacements.push(spans[1] != null ? [spans[1], options] : [{ start: close, end: close }, `,"stream_options":${options}`]);
  }
  return replaceValues(raw, replacements);
}
