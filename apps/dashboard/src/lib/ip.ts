/**
 * Client-side checks of IP allowlist entries (IPv4/IPv6 addresses and CIDR
 * blocks), so a typo is pointed out before saving. The server validates again
 * and its message wins.
 */

function isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

function isHexGroup(text: string): boolean {
  return /^[0-9a-fA-F]{1,4}$/.test(text);
}

function isIpv6(text: string): boolean {
  let body = text;
  let groupsNeeded = 8;
  // An embedded IPv4 tail (::ffff:192.0.2.1) takes the room of two groups.
  const lastColon = body.lastIndexOf(":");
  if (lastColon !== -1 && body.slice(lastColon + 1).includes(".")) {
    if (!isIpv4(body.slice(lastColon + 1))) return false;
    body = `${body.slice(0, lastColon + 1)}0`;
    groupsNeeded = 7;
  }
  const halves = body.split("::");
  if (halves.length > 2) return false;
  const groupsOf = (half: string) => (half === "" ? [] : half.split(":"));
  if (halves.length === 1) {
    const groups = groupsOf(body);
    return groups.length === groupsNeeded && groups.every(isHexGroup);
  }
  const head = groupsOf(halves[0]!);
  const tail = groupsOf(halves[1]!);
  return head.length + tail.length < groupsNeeded && [...head, ...tail].every(isHexGroup);
}

/** Null when the entry is a valid address or CIDR block, else why not. */
export function allowlistEntryError(entry: string): string | null {
  const [address = "", prefix, extra] = entry.split("/");
  if (extra !== undefined) return `"${entry}" has more than one "/".`;
  const v4 = isIpv4(address);
  const v6 = !v4 && isIpv6(address);
  if (!v4 && !v6) return `"${entry}" is not an IPv4 or IPv6 address or CIDR block.`;
  if (prefix === undefined) return null;
  const max = v4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${entry}" has a prefix length outside 0–${max}.`;
  return null;
}

/** One entry a line (commas also separate); blank lines dropped. */
export function parseAllowlist(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

export interface AllowlistCheck {
  entries: string[];
  errors: string[];
}

export function checkAllowlist(text: string): AllowlistCheck {
  const entries = parseAllowlist(text);
  const errors = entries.map(allowlistEntryError).filter((error): error is string => error !== null);
  return { entries, errors };
}
