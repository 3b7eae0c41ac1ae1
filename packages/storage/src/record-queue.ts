/**
 * One kind's queue in the RecordWriter (audit records or ledger rows), with
 * running counts in queue order: items are taken into batches from the head,
 * and batches settle in the order they were taken, so "the first `settled`
 * items are done" holds at every moment. `flush()` waits on these counts.
 */
export class RecordQueue<Item> {
  #items: Item[] = [];
  #taken = 0;
  /** Every item accepted before this count must go out, even in a partial batch. */
  #flushTarget = 0;
  accepted = 0;
  /** Written, or given up as lost. */
  settled = 0;
  written = 0;

  push(item: Item): void {
    this.#items.push(item);
    this.accepted += 1;
  }

  /** Items not yet taken into a batch. */
  get waiting(): number {
    return this.#items.length;
  }

  /** The items not yet taken into a batch, oldest first. */
  waitingItems(): readonly Item[] {
    return this.#items;
  }

  /** Items accepted and not yet settled: waiting, or in the batch being written. */
  get unsettled(): number {
    return this.accepted - this.settled;
  }

  askFlush(): void {
    this.#flushTarget = this.accepted;
  }

  /** Whether a flush asked for items not yet taken. */
  get flushAsked(): boolean {
    return this.#taken < this.#flushTarget;
  }

  take(count: number): Item[] {
    const items = this.#items.splice(0, count);
    this.#taken += items.length;
    return items;
  }

  settle(count: number, outcome: "written" | "lost"): void {
    this.settled += count;
    if (outcome === "written") this.written += count;
  }
}
