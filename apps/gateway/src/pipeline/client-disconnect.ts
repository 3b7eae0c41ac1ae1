import type { ServerResponse } from "node:http";
import type { Cancellation } from "@bentoo/providers";

/**
 * The client went away when its response closed before it finished: the
 * provider call serving it stops (the upstream request is aborted, a stream
 * stops being read).
 */
export class ClientDisconnect implements Cancellation {
  #cancelled = false;
  #listeners: Array<() => void> = [];

  constructor(response: ServerResponse) {
    response.once("close", () => {
      if (response.writableFinished) return;
      this.#cancelled = true;
      for (const listener of this.#listeners) listener();
      this.#listeners = [];
    });
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  onCancel(listener: () => void): void {
    if (this.#cancelled) listener();
    else this.#listeners.push(listener);
  }
}
