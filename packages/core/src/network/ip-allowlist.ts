import ipaddr from "ipaddr.js";
import { BentooError } from "../errors.js";

/**
 * IP allowlists (PRODUCT.md §4): IPv4 and IPv6 addresses and CIDR blocks, parsed
 * with ipaddr.js once and compiled to 128-bit ranges, so a request costs one parse
 * of the client address and a few integer comparisons per entry.
 *
 * Everything lives in IPv6 space: an IPv4 address `a.b.c.d` is `::ffff:a.b.c.d` and
 * `a.b.c.d/n` is `::ffff:a.b.c.d/(96+n)`. So a client seen as `::ffff:10.0.0.1` (a
 * dual-stack socket) matches `10.0.0.0/8`, and an entry `::ffff:0:0/96` matches
 * every IPv4 client, without special cases in the matcher.
 */
export const MAX_ALLOWLIST_ENTRIES = 1000;

/** Longest textual entry accepted (a full IPv6 address with an IPv4 tail and a prefix is 50). */
const MAX_ENTRY_LENGTH = 64;

/** A client address as four big-endian 32-bit words of its IPv6 form; read-only, as one may be shared (parseClientAddress). */
export type ClientAddress = Readonly<Uint32Array>;

interface Range {
  network: Uint32Array;
  mask: Uint32Array;
}

export interface CompiledAllowlist {
  /** The normalized entries (what is stored and shown). */
  readonly entries: readonly string[];
  /** Whether an address (as text, e.g. `request.ip`) is inside one of the entries; unparseable addresses are not. */
  allows(ip: string): boolean;
  /** The same for an address parsed once with `parseClientAddress`, to check several lists. */
  allowsAddress(address: ClientAddress | null): boolean;
}

const IPV4_MAPPED_PREFIX = 0xffff;

function wordsOfV4(octets: readonly number[]): Uint32Array {
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  return Uint32Array.of(0, 0, IPV4_MAPPED_PREFIX, ((a << 24) | (b << 16) | (c << 8) | d) >>> 0);
}

function wordsOfV6(parts: readonly number[]): Uint32Array {
  const words = new Uint32Array(4);
  for (let index = 0; index < 4; index += 1) words[index] = (((parts[index * 2] ?? 0) << 16) | (parts[index * 2 + 1] ?? 0)) >>> 0;
  return words;
}

function wordsOf(address: ipaddr.IPv4 | ipaddr.IPv6): Uint32Array {
  return address.kind() === "ipv4" ? wordsOfV4((address as ipaddr.IPv4).octets) : wordsOfV6((address as ipaddr.IPv6).parts);
}

function maskOf(prefix: number): Uint32Array {
  const mask = new Uint32Array(4);
  for (let index = 0; index < 4; index += 1) {
    const bits = Math.max(0, Math.min(32, prefix - index * 32));
    mask[index] = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  }
  return mask;
}

function rangeOf(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): Range {
  const mask = maskOf(address.kind() === "ipv4" ? 96 + prefix : prefix);
  const network = wordsOf(address);
  for (let index = 0; index < 4; index += 1) network[index] = (network[index]! & mask[index]!) >>> 0;
  return { network, mask };
}

function inRange(address: ClientAddress, range: Range): boolean {
  for (let index = 0; index < 4; index += 1) {
    if ((address[index]! & range.mask[index]!) >>> 0 !== range.network[index]) return false;
  }
  return true;
}

/**
 * Parses a client address once (a socket address or a trusted X-Forwarded-For hop).
 * IPv4 must be four-part decimal (ipaddr.js alone would read "10" as 0.0.0.10); an
 * IPv6 zone ("%eth0") is ignored. Null when it is not an address.
 */
export function parseClientAddress(ip: string): ClientAddress | null {
  if (!ip.includes(":")) return parseDottedQuad(ip);
  // How dual-stack sockets report IPv4 clients.
  if (ip.startsWith("::ffff:") && ip.includes(".")) return parseDottedQuad(ip.slice(7));
  try {
    const zone = ip.indexOf("%");
    return wordsOfV6(ipaddr.IPv6.parse(zone === -1 ? ip : ip.slice(0, zone)).parts);
  } catch {
    return null;
  }
}

/** Strict four-part decimal IPv4 (no leading zeros), by hand: the common case, kept off ipaddr.js's regexes. */
function parseDottedQuad(ip: string): ClientAddress | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let index = 0; index <= ip.length; index += 1) {
    const code = index === ip.length ? 0x2e : ip.charCodeAt(index);
    if (code === 0x2e) {
      if (digits === 0 || parts === 4) return null;
      value = value * 256 + part;
      parts += 1;
      part = 0;
      digits = 0;
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits > 0 && part === 0) return null; // a leading zero
      part = part * 10 + (code - 0x30);
      digits += 1;
      if (part > 255) return null;
    } else return null;
  }
  return parts === 4 ? Uint32Array.of(0, 0, IPV4_MAPPED_PREFIX, value) : null;
}

interface ParsedEntry {
  normalized: string;
  range: Range;
}

/** Reads one entry strictly; null when it is not an address or CIDR block. */
function parseEntry(raw: string): ParsedEntry | null {
  const text = raw.trim();
  if (text === "" || text.length > MAX_ENTRY_LENGTH || text.includes("%")) return null;
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const isV6 = addressText.includes(":");
  const valid = isV6
    ? slash === -1
      ? ipaddr.IPv6.isValid(text)
      : ipaddr.IPv6.isValidCIDR(text)
    : slash === -1
      ? ipaddr.IPv4.isValidFourPartDecimal(text)
      : ipaddr.IPv4.isValidCIDRFourPartDecimal(text);
  if (!valid) return null;
  const [address, prefix] = slash === -1 ? [ipaddr.parse(text), isV6 ? 128 : 32] : ipaddr.parseCIDR(text);
  const range = rangeOf(address, prefix);
  return { normalized: normalize(address, prefix, slash !== -1, range), range };
}

/** Canonical text: RFC 5952 for IPv6 (mapped IPv4 kept dotted), the network address for a CIDR block. */
function normalize(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number, isBlock: boolean, range: Range): string {
  const suffix = isBlock ? `/${prefix}` : "";
  if (address.kind() === "ipv4") return `${ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`).toString()}${suffix}`;
  const network = range.network;
  if (network[0] === 0 && network[1] === 0 && network[2] === IPV4_MAPPED_PREFIX && prefix >= 96) {
    const v4 = network[3]!;
    return `::ffff:${v4 >>> 24}.${(v4 >>> 16) & 0xff}.${(v4 >>> 8) & 0xff}.${v4 & 0xff}${suffix}`;
  }
  const parts: number[] = [];
  for (const word of network) parts.push(word >>> 16, word & 0xffff);
  return `${new ipaddr.IPv6(parts).toRFC5952String()}${suffix}`;
}

const isMappedV4 = (words: Uint32Array): boolean => words[0] === 0 && words[1] === 0 && words[2] === IPV4_MAPPED_PREFIX;

/**
 * Ranges inside ::ffff:0:0/96 (every IPv4 entry) become one masked 32-bit
 * comparison against the IPv4 part; the rest keep the 128-bit check. An IPv4
 * client is tested against both groups, an IPv6 client only against the second.
 */
function compiled(entries: readonly string[], ranges: readonly Range[]): CompiledAllowlist {
  const v4 = ranges.filter((range) => isMappedV4(range.network) && range.mask[2] === 0xffffffff);
  const v4Networks = Uint32Array.from(v4, (range) => range.network[3]!);
  const v4Masks = Uint32Array.from(v4, (range) => range.mask[3]!);
  const wide = ranges.filter((range) => !v4.includes(range));
  const allowsAddress = (address: ClientAddress | null): boolean => {
    if (address === null) return false;
    if (isMappedV4(address)) {
      const value = address[3]!;
      for (let index = 0; index < v4Networks.length; index += 1) if ((value & v4Masks[index]!) >>> 0 === v4Networks[index]) return true;
    }
    for (const range of wide) if (inRange(address, range)) return true;
    return false;
  };
  return { entries, allowsAddress, allows: (ip) => allowsAddress(parseClientAddress(ip)) };
}

/**
 * Validates an allowlist from a request body: every entry an IPv4/IPv6 address or
 * CIDR block, at most 1000. A bad entry is a 400 naming it (`param` is
 * `<param>[i]`). Entries come back normalized and without duplicates.
 */
export function parseAllowlist(entries: readonly string[], param: string): CompiledAllowlist {
  if (entries.length > MAX_ALLOWLIST_ENTRIES) {
    throw new BentooError(
      "invalid_request",
      `${param} may hold at most ${MAX_ALLOWLIST_ENTRIES} entries (got ${entries.length}); use CIDR blocks to cover ranges.`,
      { param },
    );
  }
  const normalized: string[] = [];
  const ranges: Range[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const parsed = parseEntry(entry);
    if (parsed === null) {
      const shown = entry.length > MAX_ENTRY_LENGTH ? `${entry.slice(0, MAX_ENTRY_LENGTH)}…` : entry;
      throw new BentooError(
        "invalid_request",
        `${param}[${index}] ${JSON.stringify(shown)} is not an IP address or CIDR block; use forms like 203.0.113.7, 198.51.100.0/24, 2001:db8::1 or 2001:db8::/48.`,
        { param: `${param}[${index}]` },
      );
    }
    if (seen.has(parsed.normalized)) return;
    seen.add(parsed.normalized);
    normalized.push(parsed.normalized);
    ranges.push(parsed.range);
  });
  return compiled(normalized, ranges);
}

/**
 * Compiles a stored list. Entries were validated when they were stored; one that
 * no longer parses matches nothing (fail closed: the list still restricts).
 */
export function compileAllowlist(entries: readonly string[]): CompiledAllowlist {
  const ranges: Range[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (parsed !== null) ranges.push(parsed.range);
  }
  return compiled(entries, ranges);
}

/**
 * Compiled lists by the stored array they came from. Cached keys and accounts keep
 * their `ipAllowlist` array until invalidated, so each list is compiled once per
 * cache entry, and a changed list (a new array) is compiled afresh. A WeakMap: no
 * bound needed, lists go when their records do.
 */
export class AllowlistCache {
  private readonly lists = new WeakMap<readonly string[], CompiledAllowlist>();

  get(entries: readonly string[]): CompiledAllowlist {
    let list = this.lists.get(entries);
    if (list === undefined) {
      list = compileAllowlist(entries);
      this.lists.set(entries, list);
    }
    return list;
  }
}

/** An allowlist from a request body, validated and normalized; an empty list is no restriction (null). */
export function normalizeAllowlist(entries: readonly string[] | null, param = "ip_allowlist"): string[] | null {
  if (entries === null || entries.length === 0) return null;
  return [...parseAllowlist(entries, param).entries];
}
