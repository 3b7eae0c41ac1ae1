import { randomBytes } from "node:crypto";

/** Standard Webhooks' secret prefix: `whsec_` and the base64 of the key bytes. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes (the specification asks for 24 to 64), base64 after `whsec_`. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}
