import { type AuditRecord, type LedgerEntry, newId } from "@bentoo/core";

/** Audit records and ledger rows as the gateway makes them, for the record writer's and the journal's tests. */
export function auditRecord(accountId: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: newId("event"),
    type: "request",
    event: "api.request",
    timestamp: Date.now(),
    requestId: newId("request"),
    accountId,
    apiKeyId: "key_writerwriterwriter01",
    keyLast4: "Wr1t",
    keyName: "writer",
    model: "gpt-4o-mini",
    provider: "openai",
    status: 200,
    errorCode: null,
    promptTokens: 1,
    completionTokens: 2,
    totalTokens: 3,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    endpoint: null,
    costMicros: 4,
    usageEstimated: false,
    sourceIp: "192.0.2.1",
    userAgent: "vitest",
    latencyMs: 5,
    actor: null,
    metadata: null,
    ...overrides,
  };
}

export function charge(accountId: string, amountMicros: number): LedgerEntry {
  const at = Date.now();
  return {
    id: newId("ledgerEntry", at),
    accountId,
    kind: "charge",
    amountMicros: -amountMicros,
    requestId: newId("request", at),
    estimated: false,
    createdAt: at,
    metadata: null,
  };
}
