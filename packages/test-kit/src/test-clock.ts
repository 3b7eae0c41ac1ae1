/**
 * A clock that moves only when a test moves it. Pass `clock.now` wherever a
 * component takes `now: () => number` (milliseconds since the epoch): expiry,
 * grace periods, rate-limit refills, cache lifetimes and sessions then follow
 * `advance()` instead of the wall clock, so a test never sleeps to see them.
 */
export class TestClock {
  #now: number;

  /** Starts at `start` (default: the wall clock's time now, so that stored timestamps look ordinary). */
  constructor(start: number = Date.now()) {
    this.#now = checkedTime(start);
  }

  /** The clock's time; a bound function, so it can be handed over as it is. */
  readonly now = (): number => this.#now;

  /** Moves the clock forward by `milliseconds` (≥ 0) and returns the new time. */
  advance(milliseconds: number): number {
    if (!Number.isSafeInteger(milliseconds) || milliseconds < 0)
      throw new RangeError(`TestClock.advance takes a whole number of milliseconds ≥ 0 (got ${milliseconds})`);
    this.#now += milliseconds;
    return this.#now;
  }

  /** Sets the clock to `time` (ms since the epoch), also backwards: what a wall clock corrected by NTP may do. */
  set(time: number): void {
    this.#now = checkedTime(time);
  }
}

function checkedTime(time: number): number {
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError(`TestClock: a time is a whole number of milliseconds since the epoch (got ${time})`);
  return time;
}
