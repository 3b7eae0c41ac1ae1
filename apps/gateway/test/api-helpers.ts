import type { TestApp } from "./helpers.js";

export interface Browser {
  cookie: string | null;
  csrf: string | null;
  /** The client address its requests come from; null = app.inject()'s default (127.0.0.1). */
  remoteAddress: string | null;
  request(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    payload?: object,
    extraHeaders?: Record<string, string>,
  ): ReturnType<TestApp["app"]["inject"]>;
}

/** A cookie jar over app.inject(): what a browser on the dashboard's origin sends. */
export function browser(t: TestApp): Browser {
  const state: Browser = {
    cookie: null,
    csrf: null,
    remoteAddress: null,
    async request(method, url, payload, extraHeaders = {}) {
      const headers: Record<string, string> = { host: "bentoo.test", ...extraHeaders };
      if (state.cookie !== null) headers.cookie = state.cookie;
      if (state.csrf !== null && method !== "GET" && !("x-csrf-token" in extraHeaders)) headers["x-csrf-token"] = state.csrf;
      const response = await t.app.inject({
        method,
        url,
        headers,
        ...(payload === undefined ? {} : { payload }),
        ...(state.remoteAddress === null ? {} : { remoteAddress: state.remoteAddress }),
      });
      const setCookie = response.headers["set-cookie"];
      const value = Array.isArray(setCookie) ? setCookie[0] : setCookie;
      if (value !== undefined) {
        const pair = value.split(";")[0]!;
        state.cookie = pair.endsWith("=") ? null : pair;
      }
      if (response.headers["content-type"]?.includes("json") && response.body !== "") {
        const body = response.json() as { csrf_token?: string };
        if (typeof body.csrf_token === "string") state.csrf = body.csrf_token;
      }
      return response;
    },
  };
  return state;
}

let signUps = 0;

/** A fresh address from the benchmarking range (198.18.0.0/15) per sign-up, so suites stay below the per-address sign-up limit. */
export function freshAddress(): string {
  signUps += 1;
  return `198.18.${Math.floor(signUps / 256) % 256}.${signUps % 256}`;
}

/** A browser that signed up a new account (from an address of its own); its later requests come from 127.0.0.1. */
export async function signedUp(t: TestApp, email = `u${Math.random().toString(36).slice(2)}@example.com`): Promise<Browser & { email: string }> {
  const b = browser(t);
  b.remoteAddress = freshAddress();
  const response = await b.request("POST", "/api/auth/signup", { email, password: "a long enough password" });
  b.remoteAddress = null;
  if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.body}`);
  return Object.assign(b, { email });
}
