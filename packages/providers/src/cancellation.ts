/**
 * Tells the upstream call of one request that its client went away. A lighter
 * stand-in for AbortController, which costs an EventTarget and its listener
 * bookkeeping on every request: here there is only ever one listener, the
 * current upstream attempt's (a fallback attempt replaces the previous one).
 */
export class Cancellation {
  #aborted = false;
  #listener: (() => void) | null = null;

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const listener = this.#listener;
    this.#listener = null;
    listener?.();
  }

  /** Calls `listener` on abort, at once when already aborted; replaces any earlier listener. */
  onAbort(listener: () => void): void {
    if (this.#aborted) listener();
    else this.#listener = listener;
  }
}
