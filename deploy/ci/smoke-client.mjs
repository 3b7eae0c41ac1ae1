#!/usr/bin/env node
// The HTTP half of deploy/ci/smoke.sh: what a user of a freshly deployed Bentoo does,
// with every answer checked. Each command exits non-zero, saying what was wrong, on the
// first answer that is not what Bentoo promises.
//
//   node smoke-client.mjs wait-ready <base> [seconds] [redis]  GET /readyz until 200 (with Redis "ok")
//   node smoke-client.mjs provision <base> <state.json>   account + test key (BENTOO_ADMIN_TOKEN)
//   node smoke-client.mjs chat <base> <state.json> [model]  one JSON and one streamed chat
//                                                         (default: the catalog's first chat model)
//   node smoke-client.mjs audit <base> <state.json>       the chats' audit records, by request id
//   node smoke-client.mjs models <base> <state.json> <id…>  GET /v1/models lists exactly these
//   node smoke-client.mjs sites <base>                     the dashboard at /, the docs at /docs/ (both built into the image)
//
// <state.json> carries the key and the request ids from one command to the next (and
// from one container to the next); it stays in the smoke stage's temporary directory.
import { readFileSync, writeFileSync } from "node:fs";

class SmokeFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new SmokeFailure(message);
}

const readState = (path) => JSON.parse(readFileSync(path, "utf8"));
const writeState = (path, state) => writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });

async function json(response, what) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new SmokeFailure(`${what}: answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

async function waitReady(base, seconds, redis) {
  const deadline = Date.now() + seconds * 1000;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.status === 200) {
        check(!redis || JSON.parse(body).redis === "ok", `${base}/readyz is ready without Redis: ${body}`);
        console.log(`ready: ${body}`);
        return;
      }
      last = `${response.status} ${body}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new SmokeFailure(`${base}/readyz did not answer 200 within ${seconds} s (last: ${last})`);
}

async function admin(base, path, body) {
  const token = process.env.BENTOO_ADMIN_TOKEN;
  check(token, "BENTOO_ADMIN_TOKEN is not set");
  const response = await fetch(`${base}/admin/v1${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await json(response, `POST /admin/v1${path}`);
  check(response.status === 200 || response.status === 201, `POST /admin/v1${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

async function provision(base, statePath) {
  const email = `smoke-${Date.now()}@example.com`;
  const account = await admin(base, "/accounts", { email, plan: "pro" });
  check(typeof account.id === "string" && account.id.startsWith("acct_"), `account creation returned no acct_ id: ${JSON.stringify(account)}`);
  const key = await admin(base, `/accounts/${account.id}/keys`, { name: "smoke", mode: "test", scopes: ["inference", "key:read", "audit:read"] });
  check(/^btoo_sk_test_[A-Za-z0-9]{32}$/.test(key.key ?? ""), "key creation returned no btoo_sk_test_ key");
  check(key.key_id === key.key.slice(-4), `key_id ${key.key_id} is not the key's last 4 characters`);
  writeState(statePath, { account: account.id, key: key.key, keyId: key.key_id, requests: [] });
  console.log(`account ${account.id}, test key …${key.key_id}`);
}

function chatRequest(base, key, model, stream) {
  return fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "user-agent": "bentoo-smoke" },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: "Say hello to the container." }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  });
}

async function jsonChat(base, key, model) {
  const response = await chatRequest(base, key, model, false);
  const body = await json(response, "chat");
  check(response.status === 200, `chat answered ${response.status}: ${JSON.stringify(body)}`);
  const requestId = response.headers.get("x-request-id");
  check(requestId, "chat answer has no x-request-id");
  check(response.headers.get("x-ratelimit-limit-requests") !== null, "chat answer has no x-ratelimit-limit-requests");
  const content = body.choices?.[0]?.message?.content;
  check(typeof content === "string" && content.length > 0, `chat answer has no message content: ${JSON.stringify(body)}`);
  check(body.usage?.total_tokens > 0, `chat answer has no usage: ${JSON.stringify(body.usage)}`);
  return { requestId, stream: false, totalTokens: body.usage.total_tokens };
}

async function streamedChat(base, key, model) {
  const response = await chatRequest(base, key, model, true);
  if (response.status !== 200) throw new SmokeFailure(`streamed chat answered ${response.status}: ${await response.text()}`);
  check(response.headers.get("content-type")?.startsWith("text/event-stream"), `streamed chat is ${response.headers.get("content-type")}, not an event stream`);
  const requestId = response.headers.get("x-request-id");
  check(requestId, "streamed chat has no x-request-id");
  const data = (await response.text())
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => line.slice("data: ".length));
  check(data.at(-1) === "[DONE]", `the stream does not end with data: [DONE] (last: ${data.at(-1)})`);
  const chunks = data.slice(0, -1).map((line) => JSON.parse(line));
  const text = chunks.map((chunk) => chunk.choices?.[0]?.delta?.content ?? "").join("");
  check(text.length > 0, "the stream carried no content");
  const usage = chunks.find((chunk) => chunk.usage)?.usage;
  check(usage?.total_tokens > 0, "the stream carried no usage chunk (stream_options.include_usage)");
  return { requestId, stream: true, totalTokens: usage.total_tokens };
}

async function firstChatModel(base, key) {
  const response = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  const body = await json(response, "GET /v1/models");
  check(response.status === 200, `GET /v1/models answered ${response.status}: ${JSON.stringify(body)}`);
  const model = body.data.find((entry) => (entry.kind ?? "chat") === "chat");
  check(model !== undefined, "GET /v1/models lists no chat model");
  return model.id;
}

async function chat(base, statePath, requested) {
  const state = readState(statePath);
  const model = requested ?? (await firstChatModel(base, state.key));
  const answers = [await jsonChat(base, state.key, model), await streamedChat(base, state.key, model)];
  state.requests.push(...answers.map((answer) => ({ ...answer, model })));
  writeState(statePath, state);
  for (const answer of answers) console.log(`${answer.stream ? "streamed" : "JSON"} chat with ${model} ${answer.requestId}: 200, ${answer.totalTokens} tokens`);
}

async function audit(base, statePath) {
  const state = readState(statePath);
  check(state.requests.length > 0, "no chat was sent before the audit check");
  const response = await fetch(`${base}/v1/audit/logs?limit=100`, { headers: { authorization: `Bearer ${state.key}` } });
  const page = await json(response, "GET /v1/audit/logs");
  check(response.status === 200, `GET /v1/audit/logs answered ${response.status}: ${JSON.stringify(page)}`);
  for (const request of state.requests) {
    const records = page.data.filter((record) => record.request_id === request.requestId);
    check(records.length === 1, `request ${request.requestId} has ${records.length} audit records, not exactly one`);
    const [record] = records;
    check(record.status === 200, `the audit record of ${request.requestId} has status ${record.status}`);
    check(record.model === request.model, `the audit record of ${request.requestId} names model ${record.model}, not ${request.model}`);
    check(record.key_id === state.keyId, `the audit record of ${request.requestId} names key ${record.key_id}, not …${state.keyId}`);
    check(
      record.total_tokens === request.totalTokens,
      `the audit record of ${request.requestId} counts ${record.total_tokens} tokens, the answer ${request.totalTokens}`,
    );
    console.log(`audit record of ${request.requestId}: status 200, ${record.total_tokens} tokens, key …${record.key_id}`);
  }
}

async function models(base, statePath, expected) {
  const state = readState(statePath);
  const response = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${state.key}` } });
  const body = await json(response, "GET /v1/models");
  check(response.status === 200, `GET /v1/models answered ${response.status}: ${JSON.stringify(body)}`);
  const ids = body.data.map((model) => model.id).sort();
  check(JSON.stringify(ids) === JSON.stringify([...expected].sort()), `GET /v1/models lists ${ids.join(", ")}, not ${expected.join(", ")}`);
  console.log(`models: ${ids.join(", ")}`);
}

async function sites(base) {
  for (const [path, marker] of [
    ["/", '<div id="root">'],
    ["/docs/", "VitePress"],
    ["/docs/models", "Models and pricing"],
  ]) {
    const response = await fetch(`${base}${path}`, { headers: { accept: "text/html" } });
    const body = await response.text();
    check(response.status === 200, `GET ${path} answered ${response.status}`);
    check(body.includes(marker), `GET ${path} is not the built page (no ${marker}): ${body.slice(0, 300)}`);
    check((response.headers.get("content-security-policy") ?? "").includes("script-src 'self';"), `GET ${path} has no CSP`);
  }
  const catalog = await fetch(`${base}/docs/catalog.json`);
  const body = await json(catalog, "GET /docs/catalog.json");
  check(catalog.status === 200 && body.data.length > 0, `GET /docs/catalog.json answered ${catalog.status}: ${JSON.stringify(body).slice(0, 300)}`);
  console.log(`sites: the dashboard and the docs are served; the docs list ${body.data.length} models`);
}

const [command, base, ...rest] = process.argv.slice(2);
const commands = {
  "wait-ready": () => waitReady(base, Number(rest[0] ?? 60), rest[1] === "redis"),
  provision: () => provision(base, rest[0]),
  chat: () => chat(base, rest[0], rest[1]),
  audit: () => audit(base, rest[0]),
  models: () => models(base, rest[0], rest.slice(1)),
  sites: () => sites(base),
};
if (!(command in commands) || base === undefined) {
  console.error("usage: smoke-client.mjs wait-ready|provision|chat|audit|models|sites <base URL> …");
  process.exit(2);
}
try {
  await commands[command]();
} catch (error) {
  console.error(`smoke: ${error instanceof SmokeFailure ? error.message : (error.stack ?? error)}`);
  process.exit(1);
}
