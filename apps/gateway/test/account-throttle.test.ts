import { type AttemptLimiter, MemoryAttemptLimiter } from "@bentoo/admission";
import { BentooError } from "@bentoo/core";
import { createLogger, parseConfig } from "@bentoo/gateway";
import { TestClock } from "@bentoo/test-kit";
import { describe, expect, it } from "vitest";
import { AccountThrottle, addressSubject, signInBackoff } from "../src/auth/account-throttle.js";
import { hashPassword } from "../src/auth/password.js";
import { PasswordHasher } from "../src/auth/password-hasher.js";
import { LogCapture } from "./helpers.js";

const limits = parseConfig({}).accountLimits;

function throttle(limiter?: AttemptLimiter, failOpen = true): { throttle: AccountThrottle; clock: TestClock; logs: LogCapture } {
  const clock = new TestClock();
  const logs = new LogCapture();
  return { throttle: new AccountThrottle(limiter ?? new MemoryAttemptLimiter({ now: clock.now }), limits, failOpen, createLogger("info", logs)), clock, logs };
}

/** The refusal of a call that must be refused. */
async function refusal(call: Promise<unknown>): Promise<BentooError> {
  const error = await call.then(
    () => null,
    (rejected: unknown) => rejected,
  );
  if (!(error instanceof BentooError)) throw new Error(`expected a BentooError, got ${String(error)}`);
  return error;
}

describe("sign-in limits", () => {
  it("the (email, address) backoff: three free attempts, 1 s doubling, then the lockout", () => {
    expect(signInBackoff(limits)).toEqual({ kind: "backoff", waitsMs: [0, 0, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 900_000], forgetMs: 900_000 });
    expect(signInBackoff({ ...limits, signInLockoutAttempts: 4, signInLockoutMs: 1500 }).waitsMs).toEqual([0, 0, 1000, 1500]);
  });

  it("one address trying many emails meets the address ceiling: 30, then one per 30 s", async () => {
    const { throttle: guard } = throttle();
    for (let index = 0; index < 30; index += 1) await guard.signIn(`victim${index}@example.com`, "203.0.113.5");
    const refused = await refusal(guard.signIn("victim30@example.com", "203.0.113.5"));
    expect(refused.code).toBe("rate_limit_exceeded");
    expect(refused.message).toBe("Too many failed sign-ins from your address; try again in 30 seconds.");
    expect(refused.headers["retry-after"]).toBe("30");
    // Other addresses are not concerned.
    await guard.signIn("victim30@example.com", "203.0.113.6");
  });

  it("many addresses trying one email meet the email ceiling, 100 then one per 36 s, ten times a pair's lockout", async () => {
    const { throttle: guard, clock } = throttle();
    for (let index = 0; index < 100; index += 1) await guard.signIn("target@example.com", `198.51.100.${index}`);
    const refused = await refusal(guard.signIn("target@example.com", "198.51.100.200"));
    expect(refused.message).toBe("Too many failed sign-ins for this email; try again in 36 seconds.");
    clock.advance(36_000);
    await guard.signIn("target@example.com", "198.51.100.200");
  });

  it("a right password resets its pair and gives its attempt back to both ceilings", async () => {
    const { throttle: guard } = throttle();
    for (let index = 0; index < 200; index += 1) {
      const ticket = await guard.signIn("busy@example.com", "203.0.113.9");
      await guard.signedIn(ticket);
    }
    const third = await guard.signIn("busy@example.com", "203.0.113.9");
    await guard.abandoned(third.checks);
    await guard.signIn("busy@example.com", "203.0.113.9");
  });

  it("an unreachable limiter lets attempts through with BENTOO_RATE_LIMIT_ON_REDIS_ERROR=allow (logged), else 503", async () => {
    const broken: AttemptLimiter = {
      attempt: () => Promise.reject(new Error("connection refused")),
      refund: () => Promise.reject(new Error("connection refused")),
      reset: () => Promise.reject(new Error("connection refused")),
    };
    const open = throttle(broken, true);
    const ticket = await open.throttle.signIn("a@example.com", "203.0.113.1");
    await open.throttle.signedIn(ticket);
    expect(open.logs.text()).toContain("sign-up and sign-in limits unreachable");
    const closed = throttle(broken, false);
    const refused = await refusal(closed.throttle.signUp("203.0.113.1"));
    expect(refused.code).toBe("service_unavailable");
  });

  it("counts IPv4 by address (mapped or not) and IPv6 by /64", () => {
    expect(addressSubject("203.0.113.7")).toBe(addressSubject("::ffff:203.0.113.7"));
    expect(addressSubject("203.0.113.7")).not.toBe(addressSubject("203.0.113.8"));
    expect(addressSubject("2001:db8:1:2::1")).toBe(addressSubject("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(addressSubject("2001:db8:1:2::1")).not.toBe(addressSubject("2001:db8:1:3::1"));
    expect(addressSubject("not an address")).toBe("not an address");
  });
});

describe("password hasher", () => {
  it("runs one hash at a time by default, sign-ins before waiting sign-ups, and refuses past the queue with 503", async () => {
    const hasher = new PasswordHasher({ concurrency: 1, queue: 1 });
    const stored = await hashPassword("the password");
    const finished: string[] = [];
    const first = hasher.hash("sign-up one", "low").then(() => finished.push("sign-up one"));
    const second = hasher.hash("sign-up two", "low").then(() => finished.push("sign-up two"));
    const refused = await refusal(hasher.hash("sign-up three", "low"));
    expect(refused.code).toBe("service_unavailable");
    expect(refused.headers["retry-after"]).toBe("2");
    const signIn = hasher.verify("the password", stored).then((valid) => finished.push(`sign-in ${valid}`));
    expect(hasher.stats).toEqual({ running: 1, waitingHigh: 1, waitingLow: 1 });
    await Promise.all([first, second, signIn]);
    expect(finished).toEqual(["sign-up one", "sign-in true", "sign-up two"]);
    expect(hasher.stats).toEqual({ running: 0, waitingHigh: 0, waitingLow: 0 });
  });

  it("with more slots, sign-ups leave one free for sign-ins", async () => {
    const hasher = new PasswordHasher({ concurrency: 2, queue: 4 });
    const stored = await hashPassword("the password");
    const signUps = [hasher.hash("one", "low"), hasher.hash("two", "low")];
    expect(hasher.stats).toEqual({ running: 1, waitingHigh: 0, waitingLow: 1 });
    const signIn = hasher.verify("the password", stored);
    expect(hasher.stats).toEqual({ running: 2, waitingHigh: 0, waitingLow: 1 });
    expect(await signIn).toBe(true);
    await Promise.all(signUps);
  });
});
