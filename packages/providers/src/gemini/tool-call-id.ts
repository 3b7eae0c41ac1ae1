import { randomBytes } from "node:crypto";

/**
 * Tool-call ids for Gemini's function calls, which carry no id of their own that
 * clients could echo. Each gets `call_` and 24 random hex digits; a call that came
 * with a thought signature carries it too, after `__ts_`, in base64url (so the id
 * stays within `[A-Za-z0-9_-]`, which every client API accepts).
 *
 * Gemini 3 models refuse a conversation whose function calls come back without the
 * signatures they were issued with (https://ai.google.dev/gemini-api/docs/thought-signatures);
 * a client of another API has nowhere to keep one but the call's id, which it echoes
 * in the assistant turn and the tool result. Bentoo stays stateless that way.
 */
const ID = /^call_[0-9a-f]{24}__ts_([A-Za-z0-9_-]+)$/;

export function newToolCallId(signature: string | null): string {
  const id = `call_${randomBytes(12).toString("hex")}`;
  return signature === null ? id : `${id}__ts_${toBase64Url(signature)}`;
}

/** The thought signature an id made by `newToolCallId` carries (standard base64, padded), or null. */
export function signatureOf(id: string): string | null {
  const encoded = ID.exec(id)?.[1];
  if (encoded === undefined) return null;
  const base64 = encoded.replaceAll("-", "+").replaceAll("_", "/");
  return base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
}

function toBase64Url(base64: string): string {
  return base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
