import { BentooError } from "../errors.js";
import type { EndpointAddressPolicy } from "./endpoint-address.js";

/** The longest endpoint URL accepted (and the column's width). */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

function invalidUrl(message: string, param: string): BentooError {
  return new BentooError("invalid_request", `${param}: ${message}`, { param });
}

/**
 * Parses an endpoint URL as far as it can be judged without the network: an
 * absolute `https:` URL (`http:` only where the operator allows private
 * addresses, and then only to them — checked once the host is resolved), with a
 * host, without credentials (they would be stored and shown as part of the URL)
 * and without a fragment (never sent). The addresses are checked by
 * `checkEndpointAddresses`, at registration and again at every delivery.
 */
export function parseEndpointUrl(text: string, policy: EndpointAddressPolicy, param = "url"): URL {
  if (text.length > MAX_ENDPOINT_URL_LENGTH) throw invalidUrl(`must be at most ${MAX_ENDPOINT_URL_LENGTH} characters.`, param);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl("must be an absolute URL such as https://example.com/webhooks/bentoo.", param);
  }
  if (url.protocol === "http:" && !policy.allowPrivate) throw invalidUrl("must use https (http is not accepted for webhook endpoints).", param);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw invalidUrl("must be an https:// URL.", param);
  if (url.hostname === "") throw invalidUrl("must name a host.", param);
  if (url.username !== "" || url.password !== "")
    throw invalidUrl("must not carry a user name or password; authenticate deliveries by their signature instead.", param);
  if (url.hash !== "") throw invalidUrl("must not have a fragment (#…): it is never sent.", param);
  return url;
}
