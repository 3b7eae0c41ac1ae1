import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AuditRecord, LEDGER_KINDS, type LedgerEntry } from "@bentoo/core";

/**
 * The journal's file format. A segment `segment-<12-digit sequence>.jsonl`
 * holds one entry per line: `a` and an AuditRecord as JSON, or `l` and a
 * LedgerEntry as JSON, then a newline. Each line is written by one write
 * call, so a process killed mid-append leaves at most its last line torn; a
 * machine that crashed may leave a torn or zeroed tail. Lines that do not read
 * back as an entry are skipped and counted.
 */

const SEGMENT = /^segment-(\d{12})\.jsonl$/;

export function segmentName(sequence: number): string {
  return `segment-${String(sequence).padStart(12, "0")}.jsonl`;
}

/** The segments of `directory`, oldest first, with their sequence numbers. */
export function listSegments(directory: string): Array<{ path: string; sequence: number }> {
  const segments: Array<{ path: string; sequence: number }> = [];
  for (const name of readdirSync(directory)) {
    const match = SEGMENT.exec(name);
    if (match !== null) segments.push({ path: join(directory, name), sequence: Number(match[1]) });
  }
  return segments.sort((a, b) => a.sequence - b.sequence);
}

/** An entry's line; metadata JSON cannot hold (a BigInt, a cycle) is dropped, as storage drops it. */
function line(kind: "a" | "l", entry: AuditRecord | LedgerEntry): string {
  try {
    return `${kind}${JSON.stringify(entry)}\n`;
  } catch {
    return `${kind}${JSON.stringify({ ...entry, metadata: null })}\n`;
  }
}

export function auditLine(record: AuditRecord): string {
  return line("a", record);
}

export function ledgerLine(entry: LedgerEntry): string {
  return line("l", entry);
}

export interface SegmentEntries {
  audit: AuditRecord[];
  ledger: LedgerEntry[];
  /** Lines that did not read back as an entry (a torn tail). */
  unreadable: number;
}

const KINDS: ReadonlySet<string> = new Set(LEDGER_KINDS);

function isAuditRecord(value: unknown): value is AuditRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.id === "string" && typeof record.type === "string" && typeof record.event === "string" && Number.isFinite(record.timestamp);
}

function isLedgerEntry(value: unknown): value is LedgerEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.id === "string" &&
    typeof entry.accountId === "string" &&
    typeof entry.kind === "string" &&
    KINDS.has(entry.kind) &&
    Number.isSafeInteger(entry.amountMicros) &&
    (entry.requestId === null || typeof entry.requestId === "string") &&
    typeof entry.estimated === "boolean" &&
    Number.isFinite(entry.createdAt)
  );
}

/** Reads a segment back; what is not an entry is counted, not thrown. */
export function readSegment(path: string): SegmentEntries {
  const entries: SegmentEntries = { audit: [], ledger: [], unreadable: 0 };
  const text = readFileSync(path, "utf8");
  for (const line of text.split("\n")) {
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line.slice(1));
    } catch {
      entries.unreadable += 1;
      continue;
    }
    if (line[0] === "a" && isAuditRecord(value)) entries.audit.push(value);
    else if (line[0] === "l" && isLedgerEntry(value)) entries.ledger.push(value);
    else entries.unreadable += 1;
  }
  return entries;
}
