import { afterEach, beforeEach } from "vitest";
import type { Admission, AdmissionDecision, AdmissionTicket, LimitSpec } from "../../src/index.js";
import { type Backend, nextRequestId, type OpenedAdmission, type StoredBalances } from "../helpers.js";

export const START = 1_700_000_000_000;

/** What every contract case gets: a fresh admission per test, a pinned clock it moves by hand, and shorthands. */
export interface ContractContext {
  readonly backend: Backend;
  /** The clock both implementations read (ms). */
  clock: number;
  readonly opened: OpenedAdmission;
  readonly admission: Admission;
  readonly stored: StoredBalances;
  admit(accountId: string, limits: LimitSpec, tokens?: number, holdMicros?: number): Promise<AdmissionDecision>;
  /** Settles and waits until the settlement has been applied (the port itself never makes callers wait). */
  settle(ticket: AdmissionTicket, tokens: number, chargedMicros?: number): Promise<void>;
}

export function limits(requestsPerMinute: number, tokensPerMinute = 1_000_000): LimitSpec {
  return { requestsPerMinute, tokensPerMinute };
}

/** Registers the per-test set-up and clean-up of `backend` and returns the context the cases use. */
export function contractContext(backend: Backend): ContractContext {
  let opened: OpenedAdmission | null = null;
  const current = (): OpenedAdmission => {
    if (opened === null) throw new Error("the admission is opened in beforeEach");
    return opened;
  };
  const context: ContractContext = {
    backend,
    clock: START,
    get opened() {
      return current();
    },
    get admission() {
      return current().admission;
    },
    get stored() {
      return current().stored;
    },
    admit: (accountId, spec, tokens = 0, holdMicros = 0) =>
      current().admission.admit({ requestId: nextRequestId(), accountId, limits: spec, tokens, holdMicros }),
    async settle(ticket, tokens, chargedMicros = 0) {
      current().admission.settle(ticket, { tokens, chargedMicros });
      await current().admission.flush();
    },
  };
  beforeEach(async () => {
    context.clock = START;
    opened = await backend.open(() => context.clock);
  });
  afterEach(async () => {
    await opened?.dispose();
    opened = null;
  });
  return context;
}

/** Admits `count` times in sequence at the current instant; returns how many were admitted. */
export async function burst(context: ContractContext, accountId: string, spec: LimitSpec, count: number): Promise<number> {
  let admitted = 0;
  for (let index = 0; index < count; index += 1) if ((await context.admit(accountId, spec)).admitted) admitted += 1;
  return admitted;
}
