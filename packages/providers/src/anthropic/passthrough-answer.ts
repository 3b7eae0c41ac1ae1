import { isUtf8 } from "node:buffer";
import { BentooError, replaceValues, topLevelMembers } from "@bentoo/core";
import type { Answer, ProviderCall } from "../provider.js";
import { countedUsage } from "../tokenizer.js";
import { isObject, readAnthropicUsage } from "./answer.js";

const ANSWER_MEMBERS = ["model", "usage"] as const;
const OPEN_BRACE = 0x7b;

/**
 * An `anthropic` provider's Message for a client of the same API: its bytes as
 * they came but for `model`, which names the catalog id. Its usage is read (the
 * charge is the provider's own count, cache tokens included) and left as it is:
 * Anthropic's usage object has no member for a cost (docs/decisions.md). When the
 * bytes cannot be spliced safely, the answer is parsed and written again with
 * the same change. https://docs.anthropic.com/en/api/messages ("Response")
 */
export function messagesPassthroughAnswer(call: ProviderCall, providerId: string, bytes: Buffer): Answer {
  const modelName = JSON.stringify(call.model.id);
  const spans = isUtf8(bytes) ? topLevelMembers(bytes, ANSWER_MEMBERS) : null;
  const model = spans?.[0];
  const reported = spans?.[1];
  if (model != null && reported != null && bytes[reported.start] === OPEN_BRACE) {
    const usage = readAnthropicUsage(parse(bytes.toString("utf8", reported.start, reported.end)));
    if (usage !== null) return { kind: "json", usage, body: () => replaceValues(bytes, [[model, modelName]]) };
  }
  const message = parse(bytes.toString("utf8"));
  if (!isObject(message) || !Array.isArray(message.content)) {
    throw new BentooError("upstream_bad_response", `provider "${providerId}" answered with something that is not a message.`);
  }
  message.model = call.model.id;
  const usage = readAnthropicUsage(message.usage) ?? countedUsage(call.client.request, deliveredText(message.content));
  return { kind: "json", usage, body: () => JSON.stringify(message) };
}

/** The text, thinking and tool input of a Message's content, for a count when the provider reported no usage. */
function deliveredText(content: unknown[]): string {
  let text = "";
  for (const block of content) {
    if (!isObject(block)) continue;
    if (typeof block.text === "string") text += block.text;
    if (typeof block.thinking === "string") text += block.thinking;
    if (block.type === "tool_use") text += String(block.name) + JSON.stringify(block.input ?? {});
  }
  return text;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
