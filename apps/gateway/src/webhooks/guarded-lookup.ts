import type { LookupAddress, LookupOptions } from "node:dns";
import { lookup as dnsLookup } from "node:dns/promises";
import { isIPv6 } from "node:net";
import { checkEndpointAddresses, type EndpointAddressPolicy, type HostResolver } from "@bentoo/core";

/** The system resolver (getaddrinfo: /etc/hosts, then DNS), every address. */
export const systemResolver: HostResolver = async (hostname) => (await dnsLookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** A connection refused before it was opened, because of the address it would have gone to. */
export class RestrictedAddressError extends Error {
  override name = "RestrictedAddressError";
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connections that checks every address a host resolves
 * to against the operator's policy right before connecting, as the connection
 * will actually use it: a host that resolved to a public address when its
 * endpoint was registered and to 127.0.0.1 now (DNS rebinding) is refused here,
 * and nothing is sent. `protocol` is the agent's: an `http:` endpoint must
 * resolve to loopback or private addresses only (checkEndpointAddresses).
 */
export function guardedLookup(resolveHost: HostResolver, policy: EndpointAddressPolicy, protocol: "http:" | "https:") {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolveHost(hostname).then(
      (resolved) => {
        const addresses = options.family === 4 || options.family === 6 ? resolved.filter((address) => (isIPv6(address) ? 6 : 4) === options.family) : resolved;
        try {
          checkEndpointAddresses(new URL(`${protocol}//${hostname}`), addresses, policy, "webhook endpoint");
        } catch (error) {
          callback(new RestrictedAddressError(error instanceof Error ? error.message : String(error)), "");
          return;
        }
        if (options.all === true)
          callback(
            null,
            addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 })),
          );
        else callback(null, addresses[0]!, isIPv6(addresses[0]!) ? 6 : 4);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, ""),
    );
  };
}
