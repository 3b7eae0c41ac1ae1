import type { Readable, Writable } from "node:stream";
import { Pool } from "undici";
import { BentooError, type ProviderConfig } from "@bentoo/core";
import type { ChatAdapter, ChatCall, ChatResult, StreamOutcome, Usage } from "../adapter.js";
import { SseTap } from "../sse-tap.js";
import { writeChunk } from "../stream-writer.js";
import { countPromptTokens, countTokens } from "../tokenizer.js";
import { ClientAbortedError } from "../upstream-error.js";
import { mapTransportError, mapUpstreamStatus } from "./errors.js";

/** Largest upstream error body read when mapping an error (bytes). */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Any server speaking OpenAI's Chat Completions wire format (OpenAI, Anthropic's
 * and Gemini's compatibility endpoints, vLLM, Ollama, LM Studio…).
 * https://platform.openai.com/docs/api-reference/chat/create
 * One keep-alive undici pool per provider; streamed bytes pass through untouched.
 */
export class OpenAiCompatibleAdapter implements ChatAdapter {
  readonly providerId: string;
  private readonly pool: Pool;
  private readonly path: string;
  private readonly baseHeaders: Record<string, string>;

  constructor(
    private readonly provider: ProviderConfig,
    apiKey: string | null,
    options: { connections?: number } = {},
  ) {
    this.providerId = provider.id;
    const url = new URL(provider.baseUrl);
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 256,
      keepAliveTimeout: 30_000,
      headersTimeout: provider.timeoutMs,
      bodyTimeout: provider.timeoutMs,
      connectTimeout: Math.min(provider.timeoutMs, 10_000),
    });
    this.path = `${url.pathname.replace(/\/+$/, "")}/chat/completions`;
    this.baseHeaders = { "content-type": "application/json", "user-agent": "bentoo-gateway" };
    if (apiKey !== null) this.baseHeaders.authorization = `Bearer ${apiKey}`;
  }

  async chat(call: ChatCall): Promise<ChatResult> {
    const payload: Record<string, unknown> = { ...call.body, model: call.route.upstreamModel };
    if (call.stream) {
      // Ask for the usage chunk so streams are metered from the upstream's own count.
      const requested = call.body.stream_options;
      payload.stream_options = { ...(typeof requested === "object" && requested !== null ? requested : {}), include_usage: true };
    }
    let response: Awaited<ReturnType<Pool["request"]>>;
    try {
      response = await this.pool.request({
        path: this.path,
        method: "POST",
        headers: { ...this.baseHeaders, accept: call.stream ? "text/event-stream" : "application/json" },
        body: JSON.stringify(payload),
        signal: call.signal,
      });
    } catch (error) {
      // The client went away: not the provider's failure, and nobody is left to tell.
      if (call.signal.aborted) throw new ClientAbortedError();
      throw mapTransportError(this.provider, error);
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      const text = await readBounded(response.body).catch(() => "");
      throw mapUpstreamStatus(this.provider, call.route.upstreamModel, response.statusCode, text);
    }
    if (call.stream) return { kind: "stream", pipeTo: (destination) => this.pipe(response.body, destination, call) };
    return this.readJson(response.body, call);
  }

  private async readJson(body: Readable & { text(): Promise<string> }, call: ChatCall): Promise<ChatResult> {
    let text: string;
    try {
      text = await body.text();
    } catch (error) {
      throw mapTransportError(this.provider, error);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new BentooError("upstream_bad_response", `provider "${this.provider.id}" answered with something that is not a chat completion.`);
    }
    const completion = parsed as Record<string, unknown>;
    completion.model = call.model.id;
    return { kind: "json", body: completion, usage: usageOf(completion.usage) ?? estimateJsonUsage(call, completion) };
  }

  private async pipe(body: Readable, destination: Writable, call: ChatCall): Promise<StreamOutcome> {
    const tap = new SseTap();
    let failure: BentooError | null = null;
    let clientAborted = false;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        tap.feed(chunk);
        const outgoing = call.usageExtras !== undefined && chunk.includes(USAGE_MARK) ? withUsageExtras(chunk, call.usageExtras) : chunk;
        if (!(await writeChunk(destination, outgoing))) {
          clientAborted = true;
          body.destroy();
          break;
        }
      }
    } catch (error) {
      if (call.signal.aborted) clientAborted = true;
      else {
        const mapped = mapTransportError(this.provider, error);
        failure = mapped.code === "upstream_timeout" ? mapped : new BentooError("upstream_error", `provider "${this.provider.id}" broke off the stream midway; the answer is cut short.`);
      }
    }
    if (failure === null && !clientAborted && !tap.done) {
      failure = tap.error
        ? new BentooError("upstream_error", `provider "${this.provider.id}" reported an error mid-stream: ${tap.error.message}`)
        : new BentooError("upstream_error", `provider "${this.provider.id}" ended the stream before it was complete; the answer is cut short.`);
    }
    const usage: Usage = tap.usage
      ? { ...tap.usage, estimated: false }
      : estimateUsage(call, countTokens(tap.deliveredText()));
    return { usage, completed: tap.done, failure, clientAborted };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const USAGE_MARK = Buffer.from('"usage":{');

/**
 * Adds `extras` to the usage object of the (complete) SSE event in `chunk` that
 * carries one; everything else in the chunk is kept byte for byte. A usage event
 * split across chunks passes through unchanged.
 */
export function withUsageExtras(chunk: Buffer, extras: (usage: Usage) => Record<string, unknown>): Buffer {
  const text = chunk.toString("utf8");
  const mark = text.indexOf('"usage":{');
  const start = text.lastIndexOf("data:", mark);
  const end = text.indexOf("\n\n", mark);
  if (start === -1 || end === -1) return chunk;
  let event: unknown;
  try {
    event = JSON.parse(text.slice(start + 5, end).trim());
  } catch {
    return chunk;
  }
  if (typeof event !== "object" || event === null) return chunk;
  const record = event as Record<string, unknown>;
  const usage = usageOf(record.usage);
  if (usage === null) return chunk;
  record.usage = { ...(record.usage as Record<string, unknown>), ...extras(usage) };
  return Buffer.from(`${text.slice(0, start)}data: ${JSON.stringify(record)}${text.slice(end)}`);
}

async function readBounded(body: Readable): Promise<string> {
  let text = "";
  for await (const chunk of body as AsyncIterable<Buffer>) {
    text += chunk.toString("utf8");
    if (text.length > MAX_ERROR_BODY) {
      body.destroy();
      break;
    }
  }
  return text;
}

function usageOf(value: unknown): Usage | null {
  if (typeof value !== "object" || value === null) return null;
  const usage = value as Record<string, unknown>;
  const prompt = usage.prompt_tokens;
  const completion = usage.completion_tokens;
  if (typeof prompt !== "number" || typeof completion !== "number") return null;
  const total = typeof usage.total_tokens === "number" ? usage.total_tokens : prompt + completion;
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total, estimated: false };
}

export function estimateUsage(call: ChatCall, completionTokens: number): Usage {
  const messages = Array.isArray(call.body.messages) ? call.body.messages : [];
  const promptTokens = countPromptTokens(messages, call.body.tools);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, estimated: true };
}

function estimateJsonUsage(call: ChatCall, completion: Record<string, unknown>): Usage {
  let text = "";
  if (Array.isArray(completion.choices)) {
    for (const choice of completion.choices) {
      const message = (choice as { message?: { content?: unknown; tool_calls?: unknown } } | null)?.message;
      if (typeof message?.content === "string") text += message.content;
      if (message?.tool_calls !== undefined) text += JSON.stringify(message.tool_calls);
    }
  }
  return estimateUsage(call, countTokens(text));
}
