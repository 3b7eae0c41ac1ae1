import type { Admission } from "@bentoo/admission";
import { type ActionContext, type LedgerEntry, managementEvent, newId, type RecordStore } from "@bentoo/core";
import type { RecordWriter } from "@bentoo/storage";
import { withTimeout } from "../infra/with-timeout.js";

/** How a grant's notice to admission is bounded, and where its failures are told. */
export interface GrantNoticeOptions {
  /** The grant's answer waits at most this long for admission (Redis) to take the grant. */
  timeoutMs: number;
  failures: { warn(fields: Record<string, unknown>): void };
}

/**
 * Credits in the ledger: grants (written at once with their `credits.granted`
 * event, then made available to admission) and each request's `charge` row
 * (queued on the batched record writer). Holds and their settlement belong to
 * the admission port.
 */
export class CreditService {
  constructor(
    private readonly admission: Pick<Admission, "granted">,
    private readonly records: Pick<RecordStore, "write">,
    private readonly writer: Pick<RecordWriter, "ledger">,
    private readonly now: () => number = Date.now,
    private readonly notice: GrantNoticeOptions | null = null,
  ) {}

  async grant(accountId: string, amountMicros: number, context: ActionContext = { actor: "operator" }): Promise<void> {
    const at = this.now();
    const event = managementEvent("credits.granted", context, { accountId, metadata: { amount_micros: amountMicros } }, at);
    const entry: LedgerEntry = {
      id: newId("ledgerEntry"),
      accountId,
      kind: "grant",
      amountMicros,
      requestId: context.requestId ?? null,
      estimated: false,
      createdAt: at,
      metadata: { actor: context.actor },
      apiKeyId: null,
      admittedAt: null,
    };
    await this.records.write({ audit: [event], ledger: [entry] });
    // The ledger has it: admission's copy of the balance catches up, or (when it cannot) reloads from storage later.
    // A copy in a Redis that does not answer takes the grant when Redis resumes, or is reloaded if the call fails.
    const granted = this.admission.granted(accountId, amountMicros);
    await (this.notice === null ? granted : withTimeout(granted, this.notice.timeoutMs)).catch((error: unknown) =>
      this.notice?.failures.warn({ err: error, accountId }),
    );
  }

  /**
   * Queues the request's `charge` row for its full cost (when it cost
   * something) and returns the amount, for the admission's settlement. A cost
   * above the hold is charged too: the hold is the estimate, the usage is the
   * bill. Such a row says by how much the usage exceeded the hold
   * (`over_hold_micros`); the excess may take the balance below zero, and the
   * account's requests get 402 until it is topped up. The row names the key
   * and when the request was admitted: a key's spend cap counts it in that
   * period.
   */
  charge(
    request: { accountId: string; apiKeyId: string; requestId: string; admittedAt: number },
    heldMicros: number,
    costMicros: number,
    estimated: boolean,
  ): number {
    if (costMicros > 0) {
      const at = this.now();
      const metadata = costMicros > heldMicros ? { over_hold_micros: costMicros - heldMicros } : null;
      this.writer.ledger({
        id: newId("ledgerEntry", at),
        accountId: request.accountId,
        kind: "charge",
        amountMicros: -costMicros,
        requestId: request.requestId,
        estimated,
        createdAt: at,
        metadata,
        apiKeyId: request.apiKeyId,
        admittedAt: request.admittedAt,
      });
    }
    return costMicros;
  }
}
