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
   * Queues the request's `charge` row (when it cost something) and returns what
   * the hold of `heldMicros` is charged, for the admission's settlement. The
   * charge never exceeds the hold; an excess is noted in the row's metadata.
   */
  charge(accountId: string, heldMicros: number, costMicros: number, requestId: string, estimated: boolean): number {
    const charged = Math.min(costMicros, heldMicros);
    const metadata = costMicros > heldMicros ? { uncharged_micros: costMicros - heldMicros } : null;
    if (charged > 0 || metadata !== null) {
      const at = this.now();
      this.writer.ledger({ id: newId("ledgerEntry", at), accountId, kind: "charge", amountMicros: -charged, requestId, estimated, createdAt: at, metadata });
    }
    return charged;
  }
}
