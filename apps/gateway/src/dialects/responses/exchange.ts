import { type AnswerWriter, BentooError, invalid, type JsonObject, newId, type ResponseStore, type StoredResponse } from "@bentoo/core";
import { withTimeout } from "../../infra/with-timeout.js";
import type { AnswerEnd, DialectCaller, DialectExchange, ParsedRequest } from "../dialect.js";
import { itemType, toMessages } from "./input-items.js";
import { itemLocation } from "./item-ids.js";
import type { ResponsesRequest } from "./parse-request.js";
import { answerResponse, type ResponseShell } from "./response-object.js";
import { ResponsesStreamWriter } from "./write-stream.js";

/** Where responses are stored, and what to do when a write fails. */
export interface ResponsesStorage {
  /** null when the operator turned storing off (BENTOO_RESPONSES_STORE=false). */
  store: ResponseStore | null;
  now(): number;
  /** How long the request waits for a response to be written before answering without it. */
  writeTimeoutMs: number;
  /** A response could not be stored (its content is never passed here). */
  onStoreFailure(error: unknown, requestId: string): void;
}

const STORE_OFF =
  "storing responses is turned off on this server (BENTOO_RESPONSES_STORE=false), so there is nothing to continue from; send the whole conversation in input (and store: false).";

function notFound(id: string, param: string): BentooError {
  return new BentooError(
    "previous_response_not_found",
    `There is no stored response "${id.slice(0, 80)}" for this account; it may have been deleted, or made with store: false.`,
    {
      param,
    },
  );
}

/** Looks up stored responses once each, for the previous response and item references alike. */
class StoredResponses {
  readonly #loaded = new Map<string, StoredResponse>();
  constructor(
    private readonly store: ResponseStore,
    private readonly accountId: string,
  ) {}

  async get(id: string, param: string): Promise<StoredResponse> {
    let found = this.#loaded.get(id);
    if (found === undefined) {
      found = (await this.store.get(this.accountId, id)) ?? undefined;
      if (found === undefined) throw notFound(id, param);
      this.#loaded.set(id, found);
    }
    return found;
  }
}

/** An `item_reference` replaced by the stored output item it names. */
async function referencedItem(id: string, param: string, stored: StoredResponses): Promise<JsonObject> {
  const location = itemLocation(id);
  if (location === null) throw notFound(id, param);
  const response = await stored.get(location.responseId, param);
  const output = response.response.output;
  const item = Array.isArray(output) ? (output[location.index] as JsonObject | undefined) : undefined;
  if (item === undefined || item.id !== id) throw notFound(id, param);
  return item;
}

/**
 * The conversation a request runs on: a previous response's input and output
 * (`previous_response_id`), then the request's own items with every
 * `item_reference` replaced by the stored item.
 */
async function resolveItems(request: ResponsesRequest, store: ResponseStore | null, accountId: string): Promise<JsonObject[]> {
  const references = request.items.some((item) => itemType(item) === "item_reference");
  if (request.previousResponseId === null && !references) return request.items;
  if (store === null)
    throw invalid(request.previousResponseId === null ? "input" : "previous_response_id", `previous_response_id and item_reference need ${STORE_OFF}`);
  const stored = new StoredResponses(store, accountId);
  const items: JsonObject[] = [];
  if (request.previousResponseId !== null) {
    const previous = await stored.get(request.previousResponseId, "previous_response_id");
    const output = Array.isArray(previous.response.output) ? (previous.response.output as JsonObject[]) : [];
    items.push(...(previous.input as JsonObject[]), ...output);
  }
  for (const [index, item] of request.items.entries()) {
    items.push(itemType(item) === "item_reference" ? await referencedItem(item.id as string, `input[${index}]`, stored) : item);
  }
  return items;
}

/**
 * One Responses API request: its response id, the conversation it runs on, its
 * answer writer, and the stored response. The response is written before the
 * answer's last bytes go out (DialectExchange.complete), so a client that has
 * the answer can continue from it at once, on any instance.
 */
export class ResponsesExchange implements DialectExchange {
  readonly answers: AnswerWriter;
  #json: JsonObject | null = null;
  #writer: ResponsesStreamWriter | null = null;

  constructor(
    readonly parsed: ParsedRequest,
    private readonly shell: ResponseShell,
    private readonly stored: { store: ResponseStore; accountId: string; requestId: string; model: string; input: JsonObject[] } | null,
    private readonly storage: ResponsesStorage,
  ) {
    this.answers = {
      json: (response, context) => {
        this.#json = answerResponse(shell, response, context);
        return JSON.stringify(this.#json);
      },
      stream: (context) => {
        this.#writer = new ResponsesStreamWriter(shell, context, true);
        return this.#writer;
      },
    };
  }

  async complete(end: AnswerEnd): Promise<string> {
    if (end.clientAborted) return "";
    let text = "";
    let response = this.#json;
    if (this.#writer !== null) ({ text, response } = this.#writer.terminal(end.failure, end.usage));
    if (response !== null && response.status !== "failed") await this.#save(response);
    return text;
  }

  async #save(response: JsonObject): Promise<void> {
    const stored = this.stored;
    if (stored === null) return;
    const record: StoredResponse = {
      id: this.shell.id,
      accountId: stored.accountId,
      model: stored.model,
      createdAt: this.shell.createdAt * 1000,
      previousResponseId: (this.shell.echo.previous_response_id as string | null) ?? null,
      input: stored.input,
      response,
    };
    try {
      await withTimeout(stored.store.save(record), this.storage.writeTimeoutMs);
    } catch (error) {
      this.storage.onStoreFailure(error, stored.requestId);
    }
  }
}

/** Opens a Responses API request for its account: resolves what it continues from, and decides whether its response is stored. */
export async function openResponsesExchange(request: ResponsesRequest, caller: DialectCaller, storage: ResponsesStorage): Promise<ResponsesExchange> {
  const items = await resolveItems(request, storage.store, caller.accountId);
  const resolved = items === request.items ? request.parsed : withItems(request, items);
  const now = storage.now();
  const storing = request.store && storage.store !== null;
  const shell: ResponseShell = {
    id: newId("response", now),
    createdAt: Math.floor(now / 1000),
    echo: { ...request.echo, model: caller.model.id, store: storing },
  };
  const stored = storing ? { store: storage.store!, accountId: caller.accountId, requestId: caller.requestId, model: caller.model.id, input: items } : null;
  return new ResponsesExchange(resolved, shell, stored, storage);
}

function withItems(request: ResponsesRequest, items: readonly JsonObject[]): ParsedRequest {
  const parsed = request.parsed;
  return { ...parsed, request: { ...parsed.request, messages: toMessages(request.instructions, items) } };
}
