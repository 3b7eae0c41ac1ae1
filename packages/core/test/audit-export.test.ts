import {
  AUDIT_CSV_COLUMNS,
  AUDIT_EVENTS,
  type AuditRecord,
  auditRecordToCsvRow,
  auditRecordToJson,
  auditRecordToJsonLine,
  csvHeader,
  generateApiKey,
  isAuditEvent,
  newId,
} from "@bentoo/core";
import { describe, expect, it } from "vitest";

const PUBLIC_FIELDS = [
  "id",
  "object",
  "type",
  "event",
  "timestamp",
  "request_id",
  "account_id",
  "key_id",
  "api_key_id",
  "key_name",
  "model",
  "provider",
  "status",
  "error_code",
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "cost_micros",
  "usage_estimated",
  "source_ip",
  "user_agent",
  "latency_ms",
  "actor",
  "metadata",
  "endpoint",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
];

function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: "evt_00000000000000000001",
    type: "request",
    event: "api.request",
    timestamp: Date.UTC(2025, 0, 31, 23, 59, 59, 123),
    requestId: "req_00000000000000000001",
    accountId: "acct_0000000000000000001",
    apiKeyId: "key_000000000000000000001",
    keyLast4: "Ab12",
    keyName: "production",
    model: "gpt-4o-mini",
    provider: "openai",
    status: 200,
    errorCode: null,
    promptTokens: 12,
    completionTokens: 34,
    totalTokens: 46,
    cacheReadTokens: 8,
    cacheWriteTokens: 2,
    reasoningTokens: 5,
    endpoint: "/v1/chat/completions",
    costMicros: 789,
    usageEstimated: false,
    sourceIp: "2001:db8::1",
    userAgent: "openai-node/6.0",
    latencyMs: 321,
    actor: null,
    metadata: null,
    ...overrides,
  };
}

/** A small RFC 4180 reader, written independently of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quoted) {
      if (char === '"' && text.charAt(index + 1) === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\r" && text.charAt(index + 1) === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      index += 1;
    } else field += char;
  }
  expect(field).toBe("");
  expect(row).toEqual([]);
  return rows;
}

describe("audit export format", () => {
  it("renders the public JSON shape: snake_case, RFC 3339 timestamp, key_id is the last 4, exactly the public fields", () => {
    const json = auditRecordToJson(auditRecord({ metadata: { grace_seconds: 3600, new_key_id: "key_x" }, usageEstimated: true }));
    expect(Object.keys(json)).toEqual(PUBLIC_FIELDS);
    expect(json).toMatchObject({
      object: "audit_log",
      timestamp: "2025-01-31T23:59:59.123Z",
      key_id: "Ab12",
      api_key_id: "key_000000000000000000001",
      usage_estimated: true,
      metadata: { grace_seconds: 3600, new_key_id: "key_x" },
    });
    const line = auditRecordToJsonLine(auditRecord({ userAgent: "line\nbreak" }));
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual(auditRecordToJson(auditRecord({ userAgent: "line\nbreak" })));
  });

  it("never carries key material: a record built from a real key shows only its last 4 and ids", () => {
    const generated = generateApiKey("live");
    const record = auditRecord({ keyLast4: generated.last4, apiKeyId: newId("apiKey"), actor: "key:key_x" });
    const outputs = [JSON.stringify(auditRecordToJson(record)), auditRecordToJsonLine(record), auditRecordToCsvRow(record)];
    for (const output of outputs) {
      expect(output).not.toContain(generated.key);
      expect(output).not.toContain(generated.hash);
      expect(output).toContain(generated.last4);
    }
  });

  it("writes the header and one CRLF-terminated row per record, in the column order", () => {
    expect(csvHeader()).toBe(`${AUDIT_CSV_COLUMNS.join(",")}\r\n`);
    expect(AUDIT_CSV_COLUMNS).toEqual(PUBLIC_FIELDS.filter((field) => field !== "object"));
    const [header, row] = parseCsv(csvHeader() + auditRecordToCsvRow(auditRecord()));
    expect(header).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(row).toEqual([
      "evt_00000000000000000001",
      "request",
      "api.request",
      "2025-01-31T23:59:59.123Z",
      "req_00000000000000000001",
      "acct_0000000000000000001",
      "Ab12",
      "key_000000000000000000001",
      "production",
      "gpt-4o-mini",
      "openai",
      "200",
      "",
      "12",
      "34",
      "46",
      "789",
      "false",
      "2001:db8::1",
      "openai-node/6.0",
      "321",
      "",
      "",
      "/v1/chat/completions",
      "8",
      "2",
      "5",
    ]);
  });

  it("quotes commas, quotes, CR and LF (RFC 4180) and round-trips them", () => {
    const tricky = auditRecord({
      keyName: 'my "prod", key',
      userAgent: "line one\r\nline two\nthree\rfour",
      model: "a,b",
      metadata: { note: 'say "hi", then\nleave' },
    });
    const text = auditRecordToCsvRow(tricky);
    expect(text).toContain('"my ""prod"", key"');
    expect(text).toContain('"a,b"');
    const [row] = parseCsv(text);
    const column = (name: (typeof AUDIT_CSV_COLUMNS)[number]) => row?.[AUDIT_CSV_COLUMNS.indexOf(name)];
    expect(row).toHaveLength(AUDIT_CSV_COLUMNS.length);
    expect(column("key_name")).toBe('my "prod", key');
    expect(column("user_agent")).toBe("line one\r\nline two\nthree\rfour");
    expect(column("model")).toBe("a,b");
    expect(JSON.parse(column("metadata") ?? "")).toEqual({ note: 'say "hi", then\nleave' });
  });

  it("neutralises spreadsheet formulas in text fields with a leading apostrophe, but leaves numbers alone", () => {
    const cases: Array<[string, string]> = [
      ['=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'],
      ["+1+1", "'+1+1"],
      ["-2+3", "'-2+3"],
      ["@SUM(A1)", "'@SUM(A1)"],
      ["\tTAB", "'\tTAB"],
      ["safe=text", "safe=text"],
    ];
    for (const [input, expected] of cases) {
      const [row] = parseCsv(auditRecordToCsvRow(auditRecord({ userAgent: input, keyName: input })));
      expect(row?.[AUDIT_CSV_COLUMNS.indexOf("user_agent")]).toBe(expected);
      expect(row?.[AUDIT_CSV_COLUMNS.indexOf("key_name")]).toBe(expected);
    }
    // A formula that also needs quoting is neutralised first, then quoted.
    expect(auditRecordToCsvRow(auditRecord({ keyName: '=1,"x"' }))).toContain(`"'=1,""x"""`);
    const [row] = parseCsv(auditRecordToCsvRow(auditRecord({ costMicros: -5, status: 500 })));
    expect(row?.[AUDIT_CSV_COLUMNS.indexOf("cost_micros")]).toBe("-5");
  });

  it("renders nulls as empty fields and lists every event name", () => {
    const [row] = parseCsv(
      auditRecordToCsvRow(
        auditRecord({
          type: "event",
          event: "account.signed_in",
          requestId: null,
          apiKeyId: null,
          keyLast4: null,
          model: null,
          status: null,
          usageEstimated: null,
          actor: "session:acct_x",
        }),
      ),
    );
    expect(row?.[AUDIT_CSV_COLUMNS.indexOf("status")]).toBe("");
    expect(row?.[AUDIT_CSV_COLUMNS.indexOf("usage_estimated")]).toBe("");
    expect(row?.[AUDIT_CSV_COLUMNS.indexOf("actor")]).toBe("session:acct_x");
    expect(AUDIT_EVENTS).toContain("credits.granted");
    expect(isAuditEvent("key.rolled")).toBe(true);
    expect(isAuditEvent("key.stolen")).toBe(false);
  });
});
