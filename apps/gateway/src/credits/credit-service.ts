import type { Admission } from "@bentoo/admission";
import { managementEvent, newId, type ActionContext, type LedgerStore } from "@bentoo/core";
import type { LedgerWriter } from "./ledger-writer.js";

/**
 * Credits in the ledger: grants (written synchronously, then made available
 * to admission at once) and each request's `charge` row. Holds and their
 * settlement belong to the admission port.
 */
export class CreditService {
  constructor(
    private readonly admission: Pick<Admission, "granted">,
    private readonly ledger: Pick<LedgerStore, "append">,
    private readonly writer: LedgerWriter,
    private readonly now: () => number = Date.now,
  ) {}

  async grant(accountId: string, amountMicros: number, context: ActionContext = { actor: "operator" }): Promise<void> {
    const at = this.now();
    const event = managementEvent("credits.granted", context, { accountId, metadata: { amount_micros: amountMicros } }, at);
    await this.ledger.append([{ id: newId("ledgerEntry"), accountId, kind: "grant", amountMicros, requestId: context.requestId ?? null, estimated: false, createdAt: at, metadata: { actor: context.actor } }], [event]);
    // The ledger has it: admission's copy of the balance catches up, or (when it cannot) reloads from storage later.
    await this.admission.granted(accountId, amountMicros).catch(() => undefined);
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
      this.writer.append({ id: newId("ledgerEntry", at), accountId, kind: "charge", amountMicros: -charged, requestId, estimated, createdAt: at, metadata });
    }
    return charged;
  }
}
