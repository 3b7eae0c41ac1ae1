import type { Socket } from "node:net";
import { finished } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";

/** How much of a refused request's body is read and thrown away after the answer, and for how long. */
export interface DrainLimits {
  maxBytes: number;
  maxMs: number;
}

const MIB = 1024 * 1024;

/** 64 MiB (at least twice the body limit) within 5 s: a mistaken upload still reads its answer; a flood is cut. */
export function drainLimits(bodyLimitBytes: number): DrainLimits {
  return { maxBytes: Math.max(64 * MIB, 2 * bodyLimitBytes), maxMs: 5_000 };
}

/** Connections whose request was answered while its body was still arriving: nothing more may be written to them. */
const answeredEarly = new WeakSet<Socket>();

/** Whether this connection's request was answered before its body had arrived, and the rest is being read. */
export function isAnsweredEarly(socket: Socket): boolean {
  return answeredEarly.has(socket);
}

/**
 * Call before sending an answer that may go out while the request's body is
 * still arriving (a 413, or a 401/403/415 decided from the headers). Closing the
 * connection then would make the client's kernel meet a reset while it is still
 * sending, and most clients (Node's fetch, Python's http.client, the OpenAI SDKs)
 * report the broken pipe instead of the answer waiting in their buffer; the SDKs
 * then retry the whole upload. So the answer goes out first, without
 * `Connection: close` (which Fastify sets after a body error, and which makes
 * Node close the socket as soon as the answer is written); the rest of the body
 * is read and discarded, and the connection stays usable. Reading is bounded:
 * past `maxBytes` or `maxMs` the connection is closed once the answer is
 * written. A body declared larger than `maxBytes` is not read at all: the answer
 * keeps `Connection: close`.
 *
 * Nothing happens for a request whose body is complete (every request that
 * reached a handler), nor for `inject()`'s simulated requests.
 */
export function answerBeforeBody(request: FastifyRequest, reply: FastifyReply, limits: DrainLimits): void {
  const raw = request.raw;
  // `complete` is a real IncomingMessage's: true once the parser saw the end of the body.
  if (raw.complete !== false || raw.readableEnded) return;
  const declared = Number(raw.headers["content-length"]);
  if (declared > limits.maxBytes) {
    reply.header("connection", "close");
    return;
  }
  if (reply.hasHeader("connection")) reply.removeHeader("connection");
  const socket = raw.socket;
  answeredEarly.add(socket);
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  const stopReading = () => {
    clearTimeout(timer);
    raw.off("data", count);
    raw.off("end", settle);
    raw.off("close", settle);
  };
  const settle = () => {
    stopReading();
    answeredEarly.delete(socket);
  };
  // The socket stays marked until it is gone: nothing else may be written to it.
  const cut = () => {
    stopReading();
    raw.pause();
    // The answer first: a connection cut while it is still being written loses it.
    finished(reply.raw, () => socket.destroy());
  };
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received > limits.maxBytes) cut();
  };
  timer = setTimeout(cut, limits.maxMs);
  timer.unref();
  raw.on("data", count);
  raw.once("end", settle);
  raw.once("close", settle);
  // An aborted upload is the client's business; without a listener Node would not report it, with one it must not throw.
  raw.on("error", () => undefined);
  raw.resume();
}
