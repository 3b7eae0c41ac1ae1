import { isUtf8 } from "node:buffer";
import { BentooError, type CatalogModel, type ModelRoute, replaceValues, topLevelMembers, type Usage } from "@bentoo/core";
import type { JsonAnswer, ProviderCall } from "../provider.js";
import { countedUsage } from "../tokenizer.js";
import { readOpenAiUsage } from "./usage.js";

const ANSWER_MEMBERS = ["model", "usage"] as const;
const OPEN_BRACE = 0x7b;

/**
 * A provider's Chat Completions JSON answer for a client of the same API: its
 * bytes as they came but for Bentoo's two members, `model` (the catalog id) and
 * `usage`, which gains `usageExtras` (the cost) while keeping the provider's own
 * details (cached and reasoning tokens). Only the usage object is parsed when the
 * bytes allow a safe splice; otherwise the answer is parsed whole and written
 * again with the same two changes.
 */
export function passthroughAnswer(call: ProviderCall, route: ModelRoute, bytes: Buffer): JsonAnswer {
  return (
    splicedAnswer(call, bytes) ??
    parsedAnswer(call, route, bytes, {
      noun: "a chat completion",
      counted: (completion) => estimatedUsage(call, completion),
      usageJson: (usage) => ({ prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.inputTokens + usage.outputTokens }),
    })
  );
}

/** What a passthrough answer needs from its call (a chat or an embeddings call): the catalog model it names and Bentoo's usage members. */
export interface AnsweredCall {
  model: CatalogModel;
  usageExtras(usage: Usage): Record<string, unknown>;
}

/** How an answer of one API is read when it cannot be spliced. */
export interface ParsedAnswerShape {
  /** What the answer should have been, for the error when it is not JSON. */
  noun: string;
  /** The usage Bentoo counts when the provider reported none. */
  counted(answer: Record<string, unknown>): Usage;
  /** That counted usage as the API's usage object. */
  usageJson(usage: Usage): Record<string, unknown>;
}

/**
 * Null unless the bytes are UTF-8 holding one JSON object with one `model` and
 * one `usage` object at its top level, and the usage adds up.
 */
export function splicedAnswer(call: AnsweredCall, bytes: Buffer): JsonAnswer | null {
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
  const usage = readOpenAiUsage(members);
  if (usage === null) return null;
  return {
    kind: "json",
    usage,
    body: () => {
      const extras = call.usageExtras(usage);
      const modelName = JSON.stringify(call.model.id);
      let added = "";
      for (const name in extras) {
        const value = extras[name];
        if (!Object.hasOwn(members, name)) added += `,${JSON.stringify(name)}:${JSON.stringify(value)}`;
        // The provider reported a member of the same name with another value (its own cost): ours wins.
        else if (members[name] !== value)
          return replaceValues(bytes, [
            [model, modelName],
            [reported, JSON.stringify(Object.assign(members, extras))],
          ]);
      }
      if (added === "") return replaceValues(bytes, [[model, modelName]]);
      // The usage object has members (it was read), so the new ones follow a comma.
      const close = reported.end - 1;
      return replaceValues(bytes, [
        [model, modelName],
        [{ start: close, end: close }, added],
      ]);
    },
  };
}

/** The answer parsed whole: `model` and `usage` set, and written again. */
export function parsedAnswer(call: AnsweredCall, route: ModelRoute, bytes: Buffer, shape: ParsedAnswerShape): JsonAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch {
    parsed = null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BentooError("upstream_bad_response", `provider "${route.providerId}" answered with something that is not ${shape.noun}.`);
  }
  const completion = parsed as Record<string, unknown>;
  completion.model = call.model.id;
  const reported = readOpenAiUsage(completion.usage);
  const usage = reported ?? shape.counted(completion);
  return {
    kind: "json",
    usage,
    body: () => {
      const extras = call.usageExtras(usage);
      // A usage the provider reported keeps its other members (details).
      completion.usage =
        reported === null ? { ...shape.usageJson(usage), ...extras, estimated: true } : Object.assign(completion.usage as Record<string, unknown>, extras);
      return JSON.stringify(completion);
    },
  };
}

/** Usage counted by Bentoo when the provider reported none: the request's prompt, the answer's text and tool calls. */
function estimatedUsage(call: ProviderCall, completion: Record<string, unknown>): Usage {
  let text = "";
  if (Array.isArray(completion.choices)) {
    for (const choice of completion.choices) {
      const message = (choice as { message?: { content?: unknown; tool_calls?: unknown } } | null)?.message;
      if (typeof message?.content === "string") text += message.content;
      if (message?.tool_calls !== undefined) text += JSON.stringify(message.tool_calls);
    }
  }
  return countedUsage(call.client.request, text);
}
