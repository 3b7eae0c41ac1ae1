import {
  type AttemptOutcome,
  type ClaimedDelivery,
  checkEndpointAddresses,
  type EndpointAddressPolicy,
  type HostResolver,
  hostAddressLiteral,
  parseEndpointUrl,
} from "@bentoo/core";
import { Webhook } from "standardwebhooks";
import { Agent } from "undici";
import { guardedLookup, RestrictedAddressError } from "./guarded-lookup.js";

export interface WebhookSenderOptions {
  policy: EndpointAddressPolicy;
  resolveHost: HostResolver;
  /** Longest wait for the whole answer (connect, headers, body). */
  timeoutMs: number;
  /** The clock of `webhook-timestamp`. */
  now: () => number;
}

/** An endpoint's answer is read up to this much, then dropped: only its status counts. */
const MAX_ANSWER_BYTES = 64 * 1024;
const USER_AGENT = "Bentoo-Webhooks/1";

/**
 * Signs a delivery per the Standard Webhooks specification (the
 * `standardwebhooks` library: `webhook-id`, `webhook-timestamp`, and
 * `webhook-signature` with a `v1,` HMAC-SHA256 per secret, space-separated
 * while a rolled secret is honoured) and POSTs it. Connections go through one
 * undici agent per scheme whose `lookup` checks the resolved addresses
 * (guarded-lookup.ts); a URL whose host is an IP literal is checked here, as no
 * lookup runs for it. Redirects are not followed: a 3xx is a failed attempt.
 * Resolves with the outcome; never rejects.
 */
export class WebhookSender {
  readonly #agents: Record<"http:" | "https:", Agent>;

  constructor(private readonly options: WebhookSenderOptions) {
    const agent = (protocol: "http:" | "https:") =>
      new Agent({
        connect: { lookup: guardedLookup(options.resolveHost, options.policy, protocol), timeout: options.timeoutMs },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 10_000,
        connections: 4,
      });
    this.#agents = { "http:": agent("http:"), "https:": agent("https:") };
  }

  /** The headers of one attempt: the same id every time, the attempt's own timestamp and signatures. */
  signedHeaders(claim: Pick<ClaimedDelivery, "messageId" | "payload" | "secrets">): Record<string, string> {
    const timestamp = new Date(this.options.now());
    const signatures = claim.secrets.map((secret) => new Webhook(secret).sign(claim.messageId, timestamp, claim.payload));
    return {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      "webhook-id": claim.messageId,
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": signatures.join(" "),
    };
  }

  async send(claim: ClaimedDelivery): Promise<AttemptOutcome> {
    let url: URL;
    try {
      // The rules may have changed since the endpoint was registered (BENTOO_WEBHOOKS_ALLOW_PRIVATE turned off).
      url = parseEndpointUrl(claim.url, this.options.policy, "webhook endpoint");
      const literal = hostAddressLiteral(url.hostname);
      if (literal !== null) checkEndpointAddresses(url, [literal], this.options.policy, "webhook endpoint");
    } catch (error) {
      return { delivered: false, statusCode: null, error: `not sent: ${messageOf(error)}` };
    }
    const agent = this.#agents[url.protocol === "http:" ? "http:" : "https:"];
    try {
      const response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: this.signedHeaders(claim),
        body: claim.payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body.dump({ limit: MAX_ANSWER_BYTES }).catch(() => undefined);
      const statusCode = response.statusCode;
      if (statusCode >= 200 && statusCode < 300) return { delivered: true, statusCode };
      return { delivered: false, statusCode, error: `the endpoint answered HTTP ${statusCode}` };
    } catch (error) {
      return { delivered: false, statusCode: null, error: this.describe(error) };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#agents["http:"].close(), this.#agents["https:"].close()]);
  }

  /** A transport failure in words an account holder can act on; never a stack. */
  private describe(error: unknown): string {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : null;
    const restricted = error instanceof RestrictedAddressError ? error : cause instanceof RestrictedAddressError ? cause : null;
    if (restricted !== null) return `not sent: ${restricted.message}`;
    const code = (error as { code?: unknown } | null)?.code;
    const name = error instanceof Error ? error.name : "";
    if (
      name === "TimeoutError" ||
      name === "AbortError" ||
      code === "UND_ERR_HEADERS_TIMEOUT" ||
      code === "UND_ERR_BODY_TIMEOUT" ||
      code === "UND_ERR_CONNECT_TIMEOUT"
    )
      return `no answer within ${this.options.timeoutMs} ms`;
    if (typeof code === "string") return `could not reach the endpoint (${code})`;
    return `could not reach the endpoint (${messageOf(error)})`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
