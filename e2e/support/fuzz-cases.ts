import { generateApiKey } from "@bentoo/core";

/**
 * Generators for the bad-input suite (e2e/fuzz.test.ts): every case is derived
 * from one seeded PRNG, so a failure reproduces with the same seed and index.
 */
export type FuzzCase =
  | { kind: "http"; family: string; method: string; path: string; headers: Record<string, string>; body?: string | Buffer }
  | { kind: "raw"; family: string; bytes: Buffer };

export interface FuzzFixtures {
  /** Valid test keys of an enterprise account with generous limits (never named in admin cases, so they stay valid). */
  keys: string[];
  revokedKey: string;
  adminToken: string;
  /** Another account and its keys: the admin cases may change, roll or revoke them. */
  victimAccountId: string;
  victimKeyIds: string[];
  bodyLimit: number;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): { next(): number; int(bound: number): number; pick<T>(items: readonly T[]): T; chance(p: number): boolean } {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const int = (bound: number) => Math.floor(next() * bound);
  return { next, int, pick: (items) => items[int(items.length)]!, chance: (p) => next() < p };
}

type Random = ReturnType<typeof prng>;

const VALID_CHAT = { model: "openai/gpt-6-luna", messages: [{ role: "user", content: "hi" }], max_tokens: 5 };
const JUNK = [
  '"',
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "null",
  "-1",
  "1e999",
  "\\u0000",
  "\\ud800",
  "true",
  "\u00ff",
  "😀",
  "\\",
  "NaN",
  "\u0000",
  "\u2028",
  "0x1f",
  "-0",
  "\t",
];
const WEIRD_STRINGS = [
  "",
  " ",
  "\u0000",
  "😀".repeat(50),
  "a".repeat(5000),
  "../../etc/passwd",
  "<script>",
  "%s%n",
  "' OR 1=1 --",
  "\u202e",
  "openai/",
  "/",
  "null",
  "__proto__",
  "constructor",
];

function weirdValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MIN_VALUE, 4096, 1e6]);
    case 3:
      return random.pick(WEIRD_STRINGS);
    case 4:
      return "x".repeat(random.int(3000));
    case 5:
      return String(random.next());
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return Array.from({ length: random.int(5) }, () => weirdValue(random, depth + 1));
    case 9:
      return Object.fromEntries(
        Array.from({ length: random.int(4) }, () => [
          random.pick(["role", "content", "type", "text", "name", "__proto__", "model", "x"]),
          weirdValue(random, depth + 1),
        ]),
      );
    default:
      return { role: random.pick(["user", "system", "assistant", "tool", "developer", "root", 7]), content: weirdValue(random, depth + 1) };
  }
}

const CHAT_FIELDS = [
  "model",
  "messages",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stream",
  "stream_options",
  "stop",
  "tools",
  "tool_choice",
  "response_format",
  "seed",
  "user",
  "logprobs",
  "presence_penalty",
];

function wrongTypesBody(random: Random): string {
  const body: Record<string, unknown> = random.chance(0.7) ? structuredClone(VALID_CHAT) : {};
  for (let edits = 1 + random.int(3); edits > 0; edits -= 1) body[random.pick(CHAT_FIELDS)] = weirdValue(random);
  if (random.chance(0.2))
    body.messages = [
      {
        role: "user",
        content: [{ type: random.pick(["text", "image_url", "input_audio", "file", "bogus"]), text: weirdValue(random), image_url: weirdValue(random) }],
      },
    ];
  if (random.chance(0.15)) body.stream = true;
  return JSON.stringify(body);
}

function mutatedBody(random: Random): string {
  let body = JSON.stringify({ ...VALID_CHAT, stream: random.chance(0.2) });
  for (let edit = 0; edit < 1 + random.int(4); edit += 1) {
    const at = random.int(body.length);
    body = random.chance(0.5) ? body.slice(0, at) + random.pick(JUNK) + body.slice(at) : body.slice(0, at) + body.slice(at + 1 + random.int(3));
  }
  return body;
}

function hugeBody(random: Random, limit: number): string {
  const size = random.pick([limit / 4, limit / 2, limit - 200, limit + 1, limit * 1.2]) | 0;
  switch (random.int(3)) {
    case 0:
      return JSON.stringify({ ...VALID_CHAT, messages: [{ role: "user", content: "y".repeat(Math.max(0, size - 80)) }] });
    case 1:
      return JSON.stringify({ ...VALID_CHAT, messages: Array.from({ length: Math.max(1, Math.floor(size / 32)) }, () => ({ role: "user", content: "z" })) });
    default:
      return JSON.stringify({ ...VALID_CHAT, stop: Array.from({ length: Math.max(1, Math.floor(size / 4)) }, () => 1) });
  }
}

function invalidUtf8Body(random: Random): Buffer {
  const bad = random.pick([[0x80], [0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe]]);
  const text = JSON.stringify(VALID_CHAT);
  const at = text.indexOf("hi") + random.int(2);
  return Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bad), Buffer.from(text.slice(at))]);
}

function authGarbage(random: Random, fixtures: FuzzFixtures): string {
  const valid = random.pick(fixtures.keys);
  const unknown = generateApiKey(random.chance(0.5) ? "live" : "test").key;
  const badChecksum = `${valid.slice(0, -1)}${valid.endsWith("A") ? "B" : "A"}`;
  return random.pick([
    `Bearer ${badChecksum}`,
    `Bearer ${unknown}`,
    `Bearer ${fixtures.revokedKey}`,
    `Bearer ${valid.slice(0, -3)}`,
    `Bearer ${valid}x`,
    `Bearer ${valid.toUpperCase()}`,
    `bearer   ${valid}`,
    `Basic ${Buffer.from(`${valid}:`).toString("base64")}`,
    `Token ${valid}`,
    "Bearer",
    "Bearer ",
    `Bearer btoo_sk_prod_${"a".repeat(32)}`,
    `Bearer btoo_sk_live_${"é".repeat(32)}`,
    `Bearer ${"A".repeat(8000)}`,
    `Bearer ${unknown} ${unknown}`,
    `Bearer\t${valid}`,
    "",
  ]);
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];
const ROUTES = [
  "/v1/chat/completions",
  "/v1/models",
  "/v1/models/openai/gpt-6-luna",
  "/v1/key",
  "/v1/audit/logs",
  "/healthz",
  "/readyz",
  "/api/keys",
  "/api/account",
  "/api/auth/signin",
  "/admin/v1/accounts",
  "/",
];

const PATH_TRICKS = [
  "/v1/../admin/v1/accounts",
  "/v1/%2e%2e/admin/v1/accounts",
  "/v1/%2E%2E/%2E%2E/etc/passwd",
  "//v1//models",
  "/v1/models/",
  "/v1/models//",
  "/v1/./models",
  "/v1/models/%00",
  "/v1/models/%ff%fe",
  "/v1/models/%",
  "/v1/models/%zz",
  "/v1/models/openai%2Fgpt-6.2-sol-mini",
  "/v1/models/..%2f..%2fadmin",
  "/V1/MODELS",
  "/v1/models;jsessionid=1",
  "/v1/models?limit=-1&limit=abc&__proto__[x]=1&constructor[prototype][y]=2",
  "/v1/audit/logs?start=garbage&end=1e999&limit=NaN&cursor=%ff",
  "/v1/audit/logs/export?format=xml",
  "/admin/v1/accounts/../../v1/models",
  "/admin/v1/accounts/%2e%2e",
  "/api/keys/..%2F..%2Fadmin",
  "/v1/models/%E2%80%AE",
  "/v1/models/%F0%9F%98%80",
  "/healthz/../admin/v1/accounts",
  "/v1/chat/completions%00",
  "/v1/chat/completions/",
  "/v1\\models",
  "/%76%31/models",
];

function pathTrick(random: Random): string {
  if (random.chance(0.1)) return `/v1/models/${"a".repeat(random.pick([1000, 5000, 9000, 20_000]))}`;
  if (random.chance(0.1)) return `/${Array.from({ length: 1 + random.int(200) }, () => random.pick(["..", ".", "v1", "%2e", "", "admin"])).join("/")}`;
  return random.pick(PATH_TRICKS);
}

/** A raw request line plus headers that no HTTP client library would send. */
function rawMalformed(random: Random, fixtures: FuzzFixtures): Buffer {
  const auth = `Authorization: Bearer ${random.pick(fixtures.keys)}\r\n`;
  const body = JSON.stringify(VALID_CHAT);
  const post = (headers: string, payload = body) =>
    `POST /v1/chat/completions HTTP/1.1\r\nHost: fuzz\r\n${auth}Content-Type: application/json\r\n${headers}Connection: close\r\n\r\n${payload}`;
  const options: Array<() => string | Buffer> = [
    () => post(`Content-Length: ${body.length}\r\nContent-Length: ${body.length + 1}\r\n`),
    () => post(`Content-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n`),
    () => post(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`),
    () => post("Transfer-Encoding: chunked, gzip\r\n"),
    () => post("Transfer-Encoding: xchunked\r\n"),
    () => post("Transfer-Encoding: chunked\r\n", `zz\r\n${body}\r\n0\r\n\r\n`),
    () => post("Transfer-Encoding: chunked\r\n", `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`),
    () => post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`),
    () => post(`Content-Length: -${body.length}\r\n`),
    () => post("Content-Length: 1e3\r\n"),
    () => post(`Content-Length: ${body.length}\r\nX-Big: ${"h".repeat(random.pick([4000, 17_000, 70_000]))}\r\n`),
    () => post(`Content-Length: ${body.length}\r\n${Array.from({ length: random.pick([100, 2500]) }, (_, index) => `X-H${index}: v`).join("\r\n")}\r\n`),
    () => post(`Content-Length: ${body.length}\r\nX-Nul: a\u0000b\r\n`),
    () => post(`Content-Length: ${body.length}\r\nX Space: a\r\n`),
    () => post(`Content-Length: ${body.length}\r\nX-Fold: a\r\n  continued\r\n`),
    () => post(`Content-Length: ${body.length}\r\nContent-Type: application/json\r\n`),
    () => `POST /v1/chat/completions HTTP/1.1\nHost: fuzz\n${auth.trimEnd()}\nContent-Length: ${body.length}\nConnection: close\n\n${body}`,
    () => `GET /v1/models HTTP/1.1\r\n${auth}Connection: close\r\n\r\n`,
    () => `GET /v1/models HTTP/1.0\r\n${auth}\r\n`,
    () => `GET /v1/models HTTP/2.0\r\nHost: fuzz\r\n${auth}Connection: close\r\n\r\n`,
    () => `GET /v1/models HTTP/9.9\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => `GET http://evil.example/v1/models HTTP/1.1\r\nHost: fuzz\r\n${auth}Connection: close\r\n\r\n`,
    () => `get /v1/models HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => `FOO /v1/models HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => `${"M".repeat(5000)} / HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => `CONNECT fuzz:443 HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => `TRACE /v1/models HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => `GET /v1/mod\u00e8ls/\u{1f600} HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n`,
    () => Buffer.concat([Buffer.from("GET /v1/models/"), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(" HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n")]),
    () =>
      `GET /v1/models HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer ${random.pick(fixtures.keys)}\r\nAuthorization: Bearer ${fixtures.revokedKey}\r\nConnection: close\r\n\r\n`,
    () => `GET /v1/models HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer ${random.pick(fixtures.keys)}\u0000\r\nConnection: close\r\n\r\n`,
    () => `GET /v1/models HTTP/1.1\r\nHost: a\r\nHost: b\r\n${auth}Connection: close\r\n\r\n`,
    () => `\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: fuzz\r\n${auth}Connection: close\r\n\r\n`,
    () =>
      `GET /v1/models HTTP/1.1\r\nHost: fuzz\r\n${auth}X-Forwarded-For: 1.2.3.4, ${"9".repeat(300)}\r\nX-Forwarded-Proto: http\r\nConnection: close\r\n\r\n`,
    () => Buffer.from(Array.from({ length: 1 + random.int(400) }, () => random.int(256))),
    () => `\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003`,
    () => `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`,
  ];
  const chosen = random.pick(options)();
  return typeof chosen === "string" ? Buffer.from(chosen, "latin1") : chosen;
}

function adminGarbage(random: Random, fixtures: FuzzFixtures): FuzzCase {
  const auth = {
    authorization: random.chance(0.85)
      ? `Bearer ${fixtures.adminToken}`
      : random.pick(["Bearer wrong", `Bearer ${fixtures.adminToken}x`, "", `Basic ${fixtures.adminToken}`]),
  };
  const id = random.pick([fixtures.victimAccountId, "acct_doesnotexist0000000", "not-an-id", "%00", "../keys", `acct_${"x".repeat(500)}`]);
  const keyId = random.pick([...fixtures.victimKeyIds, "key_doesnotexist00000000", "", "null", "%2e%2e"]);
  const targets: Array<[string, string]> = [
    ["POST", "/admin/v1/accounts"],
    ["PATCH", `/admin/v1/accounts/${id}`],
    ["POST", `/admin/v1/accounts/${id}/credits`],
    ["POST", `/admin/v1/accounts/${id}/keys`],
    ["GET", `/admin/v1/accounts/${id}/keys?limit=${random.pick(["0", "-1", "abc", "1e9", "5", ""])}&cursor=${random.pick(["", "%ff", "garbage", "eyJ9"])}`],
    ["GET", `/admin/v1/accounts?limit=${random.pick(["0", "1001", "x"])}`],
    ["PATCH", `/admin/v1/keys/${keyId}`],
    ["POST", `/admin/v1/keys/${keyId}/roll`],
    ["GET", `/admin/v1/keys/${keyId}`],
  ];
  const [method, path] = random.pick(targets);
  const fields = ["email", "password", "plan", "rpm_limit", "tpm_limit", "amount_micros", "name", "mode", "ip_allowlist", "grace_seconds", "expires_at"];
  const body: Record<string, unknown> = {};
  for (let count = random.int(4); count > 0; count -= 1)
    body[random.pick(fields)] = random.chance(0.3) ? [random.pick(["10.0.0.0/8", "999.1.1.1", "::1/200", "x"]), weirdValue(random)] : weirdValue(random);
  return {
    kind: "http",
    family: "admin garbage",
    method,
    path,
    headers: { ...auth, "content-type": "application/json" },
    body: method === "GET" ? undefined : random.chance(0.1) ? mutatedBody(random) : JSON.stringify(body),
  };
}

function apiGarbage(random: Random): FuzzCase {
  const [method, path] = random.pick([
    ["POST", "/api/auth/signup"],
    ["POST", "/api/auth/signin"],
    ["POST", "/api/auth/signout"],
    ["GET", "/api/account"],
    ["PATCH", "/api/account"],
    ["GET", "/api/keys"],
    ["POST", "/api/keys"],
    ["PATCH", "/api/keys/key_x"],
    ["DELETE", "/api/keys/key_x"],
    ["GET", "/api/usage?from=x"],
    ["GET", "/api/audit/logs"],
  ] as const);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (random.chance(0.5))
    headers.cookie = random.pick([
      "bentoo_session=garbage",
      "bentoo_session=",
      `bentoo_session=${"x".repeat(4000)}`,
      "a=b; bentoo_session=%ff",
      'bentoo_session="quoted"',
    ]);
  if (random.chance(0.3)) headers["x-csrf-token"] = random.pick(["", "garbage", "x".repeat(1000)]);
  if (random.chance(0.3)) headers.origin = random.pick(["https://evil.example", "null", "not a url"]);
  const body = JSON.stringify({ email: weirdValue(random), password: weirdValue(random), name: weirdValue(random), ip_allowlist: weirdValue(random) });
  return { kind: "http", family: "/api garbage", method, path, headers, body: method === "GET" ? undefined : body };
}

/** Case number `index` of the suite: a fixed mix of families. */
export function fuzzCase(random: Random, index: number, fixtures: FuzzFixtures): FuzzCase {
  const bearer = () => ({ authorization: `Bearer ${random.pick(fixtures.keys)}` });
  const chat = (family: string, body: string | Buffer, contentType = "application/json"): FuzzCase => ({
    kind: "http",
    family,
    method: "POST",
    path: "/v1/chat/completions",
    headers: { ...bearer(), "content-type": contentType },
    body,
  });
  const slot = index % 100;
  if (slot < 20) return chat("invalid JSON (mutated valid body)", mutatedBody(random));
  if (slot < 40) return chat("wrong types", wrongTypesBody(random));
  if (slot < 43) return chat("invalid UTF-8", invalidUtf8Body(random));
  if (slot < 46) return chat("huge strings and arrays", hugeBody(random, fixtures.bodyLimit));
  if (slot < 48) return chat("deep nesting", `{"model":"openai/gpt-6-luna","messages":${"[".repeat(40 + random.int(200))}${"]".repeat(40 + random.int(200))}}`);
  if (slot < 51)
    return chat(
      "content types",
      JSON.stringify(VALID_CHAT),
      random.pick([
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
        "multipart/form-data",
        "application/xml",
        "application/json; charset=utf-8",
        "*/*",
        "application/json, text/plain",
        ";;;",
        'application/json; boundary=""',
      ]),
    );
  if (slot < 66) {
    const path = random.pick(["/v1/models", "/v1/chat/completions", "/v1/key", "/v1/models/openai/gpt-6-luna", "/v1/audit/logs"]);
    const post = path === "/v1/chat/completions";
    return {
      kind: "http",
      family: "key-shaped garbage",
      method: post ? "POST" : "GET",
      path,
      headers: { authorization: authGarbage(random, fixtures), ...(post ? { "content-type": "application/json" } : {}) },
      body: post ? JSON.stringify(VALID_CHAT) : undefined,
    };
  }
  if (slot < 71) {
    const method = random.pick(METHODS);
    const withBody = method !== "GET" && method !== "HEAD" && random.chance(0.5);
    return {
      kind: "http",
      family: "wrong methods",
      method,
      path: random.pick(ROUTES),
      headers: { ...bearer(), ...(withBody ? { "content-type": "application/json" } : {}) },
      body: withBody ? JSON.stringify(VALID_CHAT) : undefined,
    };
  }
  if (slot < 81) return { kind: "http", family: "path tricks", method: random.pick(["GET", "POST"]), path: pathTrick(random), headers: bearer() };
  if (slot < 91) return { kind: "raw", family: "malformed HTTP", bytes: rawMalformed(random, fixtures) };
  if (slot < 96) return adminGarbage(random, fixtures);
  return apiGarbage(random);
}
