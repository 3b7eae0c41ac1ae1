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
 * `model` (set to the catalog id) and `usage`, which gains the members of the
 * rendered usage it lacks (the cost) just before its closing brace, so that
 * its own details (cached and reasoning tokens) stay, as in a stream's usage
 * event. Only the usage object is parsed; the rest is copied byte for byte,
 * never parsed into objects and serialised again. Null, and the caller parses
 * the whole answer, unless the bytes are UTF-8 holding one JSON object with one
 * `model` and one `usage` object at its top level, whose token counts are
 * numbers.
 */
export function splicedAnswer(bytes: Buffer, modelId: string): JsonChatResult | null {
  if (!isUtf8(bytes)) return null;
  const spans = topLevelMembers(bytes, ANSWER_MEMBERS);
  const model = spans?.[0];
  const reported = spans?.[1];
  if (model == null || reported == null || bytes[reported.start] !== OPEN_BRACE) return null;
  let members: Record<string, unknown>;
  try {
    members = JSON.parse(bytes.toString("utf8", reported.start, reported.end)) as Record<string, unknown>;
  } catch {
    return null;
  }
  const usage = usageOf(members);
  if (usage === null) return null;
  return {
    kind: "json",
    usage,
    render: (body) => {
      const modelName = JSON.stringify(modelId);
      let added = "";
      for (const name in body) {
        const value = body[name];
        if (!Object.hasOwn(members, name)) added += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
        // The upstream reported a member of the same name with another value (its own cost): ours wins.
        else if (members[name] !== value) return replaceValues(bytes, [[model, modelName], [reported, JSON.stringify(Object.assign(members, body))]]);
      }
      if (added === "") return replaceValues(bytes, [[model, modelName]]);
      // usageOf accepted the object, so it has members and the new ones follow a comma.
      const close = reported.end - 1;
      return replaceValues(bytes, [[model, modelName], [{ start: close, end: close }, added]]);
    },
  };
}
