import ipaddr from "ipaddr.js";
import { BentooError } from "../errors.js";

/** How a refused address is described in errors, by ipaddr.js's range name. */
const RANGE_NAMES: Readonly<Record<string, string>> = {
  loopback: "a loopback address",
  private: "a private address",
  uniqueLocal: "a private (unique local) address",
  linkLocal: "a link-local address",
  carrierGradeNat: "a carrier-grade NAT address",
  unspecified: "the unspecified address",
  broadcast: "the broadcast address",
  multicast: "a multicast address",
};

/**
 * Null when `address` (an IPv4 or IPv6 literal) is an ordinary public unicast
 * address a webhook may be sent to; otherwise what it is ("a loopback
 * address", "a private address", …). Only ipaddr.js's global `unicast` range
 * passes: loopback, RFC 1918, unique-local, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast, documentation, benchmarking and
 * every other special-purpose range are refused, and an IPv4-mapped IPv6 address
 * is judged as the IPv4 address it carries. Something that is not an address at
 * all is refused too.
 */
export function restrictedAddressKind(address: string): string | null {
  const zone = address.indexOf("%");
  const bare = zone === -1 ? address : address.slice(0, zone);
  if (!ipaddr.isValid(bare)) return "not an IP address";
  const parsed = ipaddr.process(bare);
  const range = parsed.range();
  if (range === "unicast") return null;
  return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
}

/** Whether `hostname` (as URL.hostname gives it, IPv6 in brackets) is an IP literal, and which. */
export function hostAddressLiteral(hostname: string): string | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (bare.includes(":") || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}

/** What the operator allows webhook endpoints to be (BENTOO_WEBHOOKS_ALLOW_PRIVATE). */
export interface EndpointAddressPolicy {
  /** Loopback and private addresses allowed, and plain http to them. */
  allowPrivate: boolean;
}

/**
 * Checks the addresses an endpoint's host resolves to (all of them: a connection
 * may go to any). By default every one must be public. With `allowPrivate` any
 * address passes, and an `http:` URL is accepted only when every address is
 * loopback or private: plain HTTP crosses no public network then.
 * Throws a 400 naming `url` (`param`), or returns.
 */
export function checkEndpointAddresses(url: URL, addresses: readonly string[], policy: EndpointAddressPolicy, param = "url"): void {
  if (addresses.length === 0) throw new BentooError("invalid_request", `${param}: ${url.hostname} does not resolve to any address.`, { param });
  for (const address of addresses) {
    const restricted = restrictedAddressKind(address);
    if (restricted !== null && !policy.allowPrivate) {
      throw new BentooError(
        "invalid_request",
        `${param}: ${url.hostname} resolves to ${address}, ${restricted}. Webhook endpoints must be reachable on the public internet; an operator can allow private addresses with BENTOO_WEBHOOKS_ALLOW_PRIVATE=true.`,
        { param },
      );
    }
    if (restricted === null && url.protocol === "http:") {
      throw new BentooError(
        "invalid_request",
        `${param}: ${url.hostname} resolves to the public address ${address}; plain http is accepted only for endpoints on loopback or private addresses. Use https.`,
        { param },
      );
    }
  }
}
