// The stages of a chat request, for reading a CPU profile of Bentoo or of the
// feature floor (bench/floor-gateway.mjs) side by side: `node
// bench/profile-summary.mjs <profile> --stages`. A sample belongs to the stage
// of the innermost frame on its stack that a rule names, so Node's internals
// and natives count where they were called from (a buffer copy made while
// splicing the answer is the answer's). Rules are tried in order for each
// frame; a frame no rule names passes the sample to its caller.

/** A rule: the stage, a pattern for the frame's script URL and/or one for its function name. */
const rule = (stage, url, name) => ({ stage, url: url === null ? null : new RegExp(url), name: name === null ? null : new RegExp(name) });

/** The stages' names, in request order, as the report lists them. */
export const STAGES = [
  "HTTP in: request line, headers, routing, hooks",
  "auth and IP allowlist",
  "request body: read, parse, validate",
  "handler, model lookup, routing to the provider",
  "estimate (tokenizer)",
  "admission: rate limits, credit hold, headers",
  "upstream: request built and sent",
  "upstream: answer received",
  "answer: model and cost spliced in",
  "response: sent",
  "settlement: charge and refund",
  "audit record and metrics",
  "audit and ledger rows to the writer thread",
  "garbage collection",
  "V8 and Node (program)",
  "other (Node internals, natives)",
];

const COMMON = [
  rule("garbage collection", null, "^\\(garbage collector\\)$"),
  rule("V8 and Node (program)", null, "^\\(program\\)$"),
  rule("audit and ledger rows to the writer thread", "record-writer|record-queue|writer-thread|node:internal/worker", null),
  rule("audit and ledger rows to the writer thread", "floor-gateway", "^(flush|track)$"),
];
/** Undici's side of the upstream call that sends; the rest of undici receives. */
const UNDICI_SENDS = "^(dispatch|writeH1|write|writeBuffer|_resume|resume|connect|Request)$";

const BENTOO = [
  rule("audit record and metrics", "series-metrics|prom-client|audit/request-record", null),
  rule("settlement: charge and refund", "pipeline/settle|pipeline/cost|gateway/dist/credits/", null),
  rule("admission: rate limits, credit hold, headers", "pipeline/admit|packages/admission/", null),
  rule("estimate (tokenizer)", "pipeline/estimate|tokenizer|js-tiktoken|base64-js", null),
  rule("request body: read, parse, validate", "json-body-parser|dialects/|secure-json-parse|content-type-parser", null),
  rule("request body: read, parse, validate", "json-bytes", "^nestsDeeperThan$"),
  rule("auth and IP allowlist", "middleware/authenticate|middleware/ip-allowlist|key-verifier|allowlist", null),
  rule("answer: model and cost spliced in", "openai/passthrough-answer|openai/passthrough-stream|openai/usage|sse-framer|json-bytes", null),
  rule("response: sent", "fastify/lib/reply|_http_outgoing|stream_base_commons|streams/writable|stream-relay", null),
  rule("upstream: request built and sent", "openai/passthrough-request|openai/adapter|upstream-client", null),
  rule("upstream: request built and sent", "undici", UNDICI_SENDS),
  rule("upstream: answer received", "undici|upstream-exchange", null),
  rule("handler, model lookup, routing to the provider", "pipeline/", null),
  rule(
    "HTTP in: request line, headers, routing, hooks",
    "fastify|find-my-way|_http_server|_http_common|_http_incoming|streams/readable|transport-security",
    null,
  ),
];

const FLOOR = [
  rule("audit record and metrics", "floor-gateway", "^settle$"),
  rule("admission: rate limits, credit hold, headers", "floor-gateway", "^(takeFromBuckets|answerHeaders|admitRemotely|sendTurn)$"),
  rule("estimate (tokenizer)", "tokenizer|js-tiktoken|base64-js", null),
  rule("auth and IP allowlist", "floor-gateway", "^(connectionOf|sha256)$"),
  rule("answer: model and cost spliced in", "floor-gateway", "^(withCost|renamed|costMicrosOf)$"),
  rule("response: sent", "_http_outgoing|stream_base_commons|streams/writable", null),
  rule("upstream: request built and sent", "undici", UNDICI_SENDS),
  rule("upstream: request built and sent", "floor-gateway", "^forward$"),
  rule("upstream: answer received", "undici", null),
  rule("upstream: answer received", "floor-gateway", "^(onData|onHeaders|onComplete)$"),
  // The floor's request handler parses the body and looks the model up in one function.
  rule("handler, model lookup, routing to the provider", "floor-gateway", null),
  rule("HTTP in: request line, headers, routing, hooks", "_http_server|_http_common|_http_incoming|streams/readable", null),
];

/** Which rules fit a profile: the floor's when its script is in it, else Bentoo's. */
export function stageRules(nodes) {
  const floor = nodes.some((node) => node.callFrame.url.endsWith("floor-gateway.mjs"));
  return { subject: floor ? "the feature floor" : "Bentoo", rules: [...COMMON, ...(floor ? FLOOR : BENTOO)] };
}

/** A function from a profile node id to its stage (memoised per node). */
export function stageClassifier(nodes, rules) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const stageOf = new Map();
  return (id) => {
    let stage = stageOf.get(id);
    if (stage !== undefined) return stage;
    for (let at = id; at !== undefined && stage === undefined; at = parentOf.get(at)) {
      const { url, functionName } = byId.get(at).callFrame;
      stage = rules.find(
        (candidate) => (candidate.url === null || candidate.url.test(url)) && (candidate.name === null || candidate.name.test(functionName)),
      )?.stage;
    }
    stage ??= "other (Node internals, natives)";
    stageOf.set(id, stage);
    return stage;
  };
}
