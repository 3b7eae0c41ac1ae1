import { isUtf8 } from "node:buffer";
import type { JsonChatResult, Usage } from "../adapter.js";
import { replaceValues, topLevelMembers } from "@bentoo/core";

const ANSWER_MEMBERS = ["model", "usage"] as const;
const OPEN_BRACE = 0x7b;

/** The upstream's reported usage, or null when it reported none that adds up. */
export function usageOf(value: unknown): Usage | null {
  if (typeof value !== "object" || value === null) return null;
  const usage = value as Record<string, unknown>;
  const prompt = usage.prompt_tokens;
  const completion = usage.completion_tokens;
  if (typeof prompt !== "number" || typeof completion !== "number") return null;
  const total = typeof usage.total_tokens === "number" ? usage.total_tokens : prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total, estimated: false };
}

/**
 * A JSON answer passed through as the upstream sent it, but for two members:
 * `model` (set to the catalog id) and `usage` (replaced, with the cost). Only
 * the usage object is parsed; the rest is copied byte for byte, never parsed
 * into objects and serialised again. Null, and the caller parses the whole
 * answer, unless the bytes are UTF-8 holding one JSON object with one `model`
 * and one `usage` object at its top level, whose token counts are numbers.
 */
export function splicedAnswer(bytes: Buffer, modelId: string): JsonChatResult | null {
  if (!isUtf8(bytes)) return null;
  const spans = topLevelMembers(bytes, ANSWER_MEMBERS);
  const model = spans?.[0];
  const reported = spans?.[1];
  if (model == null || reported == null || bytes[reported.start] !== OPEN_BRACE) return null;
  let usage: Usage | null;
  try {
    usage = usageOf(JSON.parse(bytes.toString("utf8", reported.start, reported.end)));
  } catch {
    return null;
  }
  if (usage === null) return null;
  return {
    kind: "json",
    usage,
    render: (body) => replaceValues(bytes, [
      [model, JSON.stringify(modelId)],
      [reported, JSON.stringify(body)],
    ]),
  };
}
