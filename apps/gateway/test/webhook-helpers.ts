import type { ReceivedWebhook } from "@bentoo/test-kit";
import { Webhook } from "standardwebhooks";
import { vi } from "vitest";
import type { Browser } from "./api-helpers.js";
import type { TestApp } from "./helpers.js";

/** Endpoints on 127.0.0.1 over plain http (the receiver), and due deliveries looked for every 20 ms. */
export const WEBHOOK_ENV = { BENTOO_WEBHOOKS_ALLOW_PRIVATE: "true", BENTOO_WEBHOOKS_POLL_MS: "20" };

export interface WebhookPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * The payload of a received delivery, verified with the Standard Webhooks library
 * (throws when no signature matches, or its timestamp is more than 5 minutes off).
 * `now` is the receiver's time: a test that moved its services' clock passes it,
 * as the library compares `webhook-timestamp` with Date.now().
 */
export function verified(received: ReceivedWebhook, secret: string, now?: number): WebhookPayload {
  if (now === undefined) return new Webhook(secret).verify(received.body, received.headers) as WebhookPayload;
  vi.useFakeTimers({ toFake: ["Date"], now });
  try {
    return new Webhook(secret).verify(received.body, received.headers) as WebhookPayload;
  } finally {
    vi.useRealTimers();
  }
}

/** Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000, what = "the condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface CreatedEndpoint {
  id: string;
  secret: string;
  url: string;
}

/** Registers an endpoint for the signed-in account; fails the test on anything but 201. */
export async function registerEndpoint(b: Browser, url: string, eventTypes: string[], extra: Record<string, unknown> = {}): Promise<CreatedEndpoint> {
  const response = await b.request("POST", "/api/webhooks", { url, event_types: eventTypes, ...extra });
  if (response.statusCode !== 201) throw new Error(`registering ${url} failed: ${response.statusCode} ${response.body}`);
  return response.json() as CreatedEndpoint;
}

/** The delivery log of an endpoint, newest first. */
export async function deliveriesOf(b: Browser, endpointId: string): Promise<Array<Record<string, unknown>>> {
  const response = await b.request("GET", `/api/webhooks/${endpointId}/deliveries`);
  if (response.statusCode !== 200) throw new Error(`delivery log: ${response.statusCode} ${response.body}`);
  return (response.json() as { data: Array<Record<string, unknown>> }).data;
}

/** Registers an endpoint through the admin API for an account. */
export async function registerEndpointAsOperator(t: TestApp, accountId: string, adminToken: string, body: Record<string, unknown>) {
  return t.app.inject({ method: "POST", url: `/admin/v1/accounts/${accountId}/webhooks`, headers: { authorization: `Bearer ${adminToken}` }, payload: body });
}
