import { BentooError, isRecord } from "./errors.js";

/** The wire shape of a cursor-paginated list. */
export interface CursorPageBody<Item> {
  object: "list";
  data: Item[];
  has_more: boolean;
  next_cursor: string | null;
}

/**
 * One page of a cursor-paginated list. `for await (const item of page)` walks this
 * page and every later one; `iterPages()` walks page by page.
 */
export class Page<Item> implements AsyncIterable<Item> {
  readonly data: Item[];
  readonly hasMore: boolean;
  /** The cursor of the next page, `null` on the last page. */
  readonly nextCursor: string | null;
  readonly #fetchPage: (cursor: string) => Promise<Page<Item>>;

  constructor(body: CursorPageBody<Item>, fetchPage: (cursor: string) => Promise<Page<Item>>) {
    this.data = body.data;
    this.hasMore = body.has_more;
    this.nextCursor = body.next_cursor;
    this.#fetchPage = fetchPage;
  }

  hasNextPage(): boolean {
    return this.hasMore && this.nextCursor !== null && this.nextCursor !== "";
  }

  /** Fetches the next page; check `hasNextPage()` first. */
  getNextPage(): Promise<Page<Item>> {
    if (!this.hasNextPage() || this.nextCursor === null) {
      return Promise.reject(new BentooError("There is no next page; check hasNextPage() before calling getNextPage()."));
    }
    return this.#fetchPage(this.nextCursor);
  }

  async *iterPages(): AsyncGenerator<Page<Item>, void, undefined> {
    let page: Page<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) yield* page.data;
  }
}

/**
 * What a `list()` method returns: await it for the first `Page`, or iterate it with
 * `for await` to receive every item of every page. The first request starts at once.
 */
export class PagePromise<Item> implements PromiseLike<Page<Item>>, AsyncIterable<Item> {
  readonly #firstPage: Promise<Page<Item>>;

  constructor(firstPage: Promise<Page<Item>>) {
    this.#firstPage = firstPage;
    // A list() that is never awaited must not crash Node with an unhandled rejection;
    // anyone who awaits or iterates still receives the error.
    firstPage.catch(() => undefined);
  }

  // biome-ignore lint/suspicious/noThenProperty: a list() is awaitable for its first page by contract, as in openai-node
  then<Fulfilled = Page<Item>, Rejected = never>(
    onfulfilled?: ((page: Page<Item>) => Fulfilled | PromiseLike<Fulfilled>) | null,
    onrejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null,
  ): Promise<Fulfilled | Rejected> {
    return this.#firstPage.then(onfulfilled, onrejected);
  }

  catch<Rejected = never>(onrejected?: ((reason: unknown) => Rejected | PromiseLike<Rejected>) | null): Promise<Page<Item> | Rejected> {
    return this.#firstPage.catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<Item>> {
    return this.#firstPage.finally(onfinally);
  }

  get [Symbol.toStringTag](): string {
    return "PagePromise";
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    const page = await this.#firstPage;
    yield* page;
  }
}

/** Checks the wire shape before trusting it (the boundary of the SDK). */
export function parseCursorPage<Item>(body: unknown, what: string): CursorPageBody<Item> {
  if (!isRecord(body) || !Array.isArray(body.data) || typeof body.has_more !== "boolean") {
    throw new BentooError(`${what} answered with an unexpected shape: expected { data: [...], has_more, next_cursor }.`);
  }
  const cursor = body.next_cursor;
  return {
    object: "list",
    data: body.data as Item[],
    has_more: body.has_more,
    next_cursor: typeof cursor === "string" ? cursor : null,
  };
}
