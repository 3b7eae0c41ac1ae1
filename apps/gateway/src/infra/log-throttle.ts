type Level = "warn" | "error";

/** What a line is written through: the services' pino logger, or a request's (Fastify's child of it). */
export type LogSink = Record<Level, (fields: Record<string, unknown>, message: string) => void>;

interface HeldLine {
  logger: LogSink;
  level: Level;
  fields: Record<string, unknown>;
  message: string;
}

interface Window {
  openedAt: number;
  /** Lines of this kind held back since `openedAt`, and the last of them (written with the count). */
  held: number;
  last: HeldLine | null;
}

export interface LogThrottleOptions {
  /** At most one line per kind per interval. Default 5 s. */
  intervalMs?: number;
  /** The clock the windows are measured with (the services' clock). */
  now?: () => number;
}

/** "5", "0.5", "12.3" (seconds). */
function seconds(milliseconds: number): string {
  return String(Number((milliseconds / 1000).toFixed(1)));
}

/**
 * At most one log line per kind per interval, for lines that an outage would
 * otherwise write once per request (Redis or the database unreachable, an
 * upstream down): thousands of identical lines a second bury everything else and
 * cost the CPU the gateway needs most then.
 *
 * The first line of a kind is written at once and opens a window of
 * `intervalMs`. Lines of that kind within the window are counted, not written.
 * When the window ends with lines held back, the last of them is written with
 * the count — "admission unreachable (1,234 more in the last 5 s)", and
 * `suppressed: 1234` among its fields — and that line opens the next window; a
 * window that ends with nothing held back closes, and the next line is written at
 * once again. Windows end on the next line of their kind or on a timer (unref'd:
 * it never holds the process), whichever comes first; `flush()` writes what is
 * held at shutdown. Kinds are fixed strings chosen by the caller (an error code,
 * a name), so the windows stay few.
 */
export class LogThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LogThrottleOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 5_000;
    this.#now = options.now ?? Date.now;
  }

  warn(logger: LogSink, kind: string, fields: Record<string, unknown>, message: string): void {
    this.#log(kind, { logger, level: "warn", fields, message });
  }

  error(logger: LogSink, kind: string, fields: Record<string, unknown>, message: string): void {
    this.#log(kind, { logger, level: "error", fields, message });
  }

  /** Ends every window whose interval has passed (the timer calls this). */
  tick(): void {
    const now = this.#now();
    for (const [kind, window] of this.#windows) if (now - window.openedAt >= this.#intervalMs) this.#end(kind, window, now, true);
    this.#schedule(now);
  }

  /** Writes every count held back, now, and forgets the windows (at shutdown). */
  flush(): void {
    const now = this.#now();
    for (const [kind, window] of this.#windows) this.#end(kind, window, now, false);
    this.#windows.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #log(kind: string, line: HeldLine): void {
    const now = this.#now();
    const open = this.#windows.get(kind);
    if (open !== undefined && now - open.openedAt >= this.#intervalMs) this.#end(kind, open, now, true);
    const window = this.#windows.get(kind);
    if (window === undefined) {
      line.logger[line.level](line.fields, line.message);
      this.#windows.set(kind, { openedAt: now, held: 0, last: null });
      this.#schedule(now);
      return;
    }
    window.held += 1;
    window.last = line;
  }

  /** Writes the window's count, if any; that line opens the next window when `reopen`. */
  #end(kind: string, window: Window, now: number, reopen: boolean): void {
    const last = window.last;
    if (last === null) {
      this.#windows.delete(kind);
      return;
    }
    const count = window.held.toLocaleString("en-US");
    last.logger[last.level]({ ...last.fields, suppressed: window.held }, `${last.message} (${count} more in the last ${seconds(now - window.openedAt)} s)`);
    if (reopen) this.#windows.set(kind, { openedAt: now, held: 0, last: null });
    else this.#windows.delete(kind);
  }

  /** One timer, for the window that ends first; none while no window is open. */
  #schedule(now: number): void {
    if (this.#timer !== undefined || this.#windows.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const window of this.#windows.values()) next = Math.min(next, window.openedAt + this.#intervalMs);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.tick();
      },
      Math.max(10, next - now),
    );
    this.#timer.unref();
  }
}
