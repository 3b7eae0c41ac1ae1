import { describe, expect, it } from "vitest";
import { withQuery } from "../src/api/client";
import { safeNext } from "../src/pages/auth/safe-next";
import { queryFromSearch, resolveFilters, searchFromQuery } from "../src/pages/logs/log-query";

describe("log filters in the URL", () => {
  it("round-trips through the query string and ignores unknown ranges", () => {
    const query = queryFromSearch(
      new URLSearchParams("range=7d&key_id=key_abc&model=openai/gpt-4o&endpoint=%2Fv1%2Fchat%2Fcompletions&status=429&event=api.request"),
    );
    expect(query).toMatchObject({
      range: "7d",
      keyId: "key_abc",
      model: "openai/gpt-4o",
      endpoint: "/v1/chat/completions",
      status: "429",
      event: "api.request",
    });
    expect(queryFromSearch(new URLSearchParams(searchFromQuery(query)))).toEqual(query);
    expect(queryFromSearch(new URLSearchParams("range=forever")).range).toBe("24h");
  });

  it("fixes a relative range against now, so the table and the export cover the same span", () => {
    const now = Date.UTC(2026, 0, 15, 10, 0, 0, 400);
    const filters = resolveFilters(queryFromSearch(new URLSearchParams("range=1h&status=200&endpoint=/v1/embeddings")), now);
    expect(filters).toEqual({ start: "2026-01-15T09:00:02.000Z", end: "2026-01-15T10:00:02.000Z", endpoint: "/v1/embeddings", status: "200" });
    expect(withQuery("/api/audit/logs/export", { format: "csv", ...filters, model: "" })).toBe(
      "/api/audit/logs/export?format=csv&start=2026-01-15T09%3A00%3A02.000Z&end=2026-01-15T10%3A00%3A02.000Z&endpoint=%2Fv1%2Fembeddings&status=200",
    );
  });
});

describe("where sign-in returns to", () => {
  it.each([
    ["/settings/api-keys", "/settings/api-keys"],
    ["/logs?range=7d", "/logs?range=7d"],
    [null, "/"],
    ["https://evil.example/", "/"],
    ["//evil.example/", "/"],
    ["/\\evil.example", "/"],
    ["/signin", "/"],
  ])("%s → %s", (next, expected) => expect(safeNext(next)).toBe(expected));
});
