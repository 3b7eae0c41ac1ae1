import { describe, expect, it } from "vitest";
import { formatTokens, formatUsd, parseCatalog } from "../.vitepress/theme/catalog";
import { inlineMarkdown, markdownBlocks } from "../.vitepress/theme/markdown-text";
import { PLACEHOLDER_ORIGIN, replaceAcross } from "../.vitepress/theme/server-origin";

describe("replaceAcross", () => {
  const origin = "https://ai.acme.test:8443";

  it("replaces the placeholder inside one text node, and every occurrence", () => {
    expect(replaceAcross(["curl ", `${PLACEHOLDER_ORIGIN}/v1/models`, " \\"], PLACEHOLDER_ORIGIN, origin)).toEqual(["curl ", `${origin}/v1/models`, " \\"]);
    expect(replaceAcross([`${PLACEHOLDER_ORIGIN} and ${PLACEHOLDER_ORIGIN}/v1`], PLACEHOLDER_ORIGIN, origin)).toEqual([`${origin} and ${origin}/v1`]);
  });

  it("replaces a placeholder the highlighter split across nodes, leaving the text around it", () => {
    expect(replaceAcross(['base_url="https://', "bentoo", '.example.com/v1"'], PLACEHOLDER_ORIGIN, origin)).toEqual([`base_url="${origin}`, "", '/v1"']);
    expect(replaceAcross(["x", "https://bentoo.example.", "com", "y"], PLACEHOLDER_ORIGIN, origin)).toEqual(["x", origin, "", "y"]);
  });

  it("returns null when there is nothing to replace, so a second run changes nothing", () => {
    expect(replaceAcross(["https://bentoo.example.org"], PLACEHOLDER_ORIGIN, origin)).toBeNull();
    expect(replaceAcross([`${origin}/v1`], PLACEHOLDER_ORIGIN, origin)).toBeNull();
    expect(replaceAcross(["abc"], "", origin)).toBeNull();
  });
});

describe("the Models table", () => {
  it("shows prices exactly, with at least two decimals", () => {
    expect([0.1, 0.5, 0.125, 0.075, 1.32, 3.96, 2, 40, 0.006, 0.000001, 0].map(formatUsd)).toEqual([
      "$0.10",
      "$0.50",
      "$0.125",
      "$0.075",
      "$1.32",
      "$3.96",
      "$2.00",
      "$40.00",
      "$0.006",
      "$0.000001",
      "$0.00",
    ]);
    expect(formatUsd(null)).toBe("—");
    expect([formatTokens(1050000), formatTokens(8191), formatTokens(null)]).toEqual(["1,050,000", "8,191", "—"]);
  });

  it("reads the catalog answer, skipping what is not a model, and refuses what is not a list", () => {
    expect(
      parseCatalog({
        object: "list",
        data: [
          {
            id: "openai/gpt-6-luna",
            kind: "chat",
            context_length: 1050000,
            max_output_tokens: 128000,
            pricing: { input_per_mtok: 0.1, output_per_mtok: 0.5, cache_read_per_mtok: 0.01 },
          },
          { id: "x/embed", kind: "embedding", context_length: 8191, max_output_tokens: null, pricing: { input_per_mtok: 0.02, output_per_mtok: 0 } },
          { name: "no id" },
          "junk",
        ],
      }),
    ).toEqual([
      { id: "openai/gpt-6-luna", kind: "chat", contextLength: 1050000, maxOutputTokens: 128000, input: 0.1, output: 0.5, cacheRead: 0.01 },
      { id: "x/embed", kind: "embedding", contextLength: 8191, maxOutputTokens: null, input: 0.02, output: 0, cacheRead: null },
    ]);
    expect(parseCatalog({ error: { code: "not_found" } })).toBeNull();
    expect(parseCatalog("<html>")).toBeNull();
  });
});

describe("OpenAPI descriptions as Markdown", () => {
  it("renders code, bold and safe links as parts; an unsafe link stays text", () => {
    expect(inlineMarkdown("Use `stream: true` for **events**; see [keys](/docs/api-keys) or [x](javascript:alert(1)).")).toEqual([
      { kind: "text", text: "Use " },
      { kind: "code", text: "stream: true" },
      { kind: "text", text: " for " },
      { kind: "strong", text: "events" },
      { kind: "text", text: "; see " },
      { kind: "link", text: "keys", href: "/docs/api-keys" },
      { kind: "text", text: " or " },
      { kind: "text", text: "[x](javascript:alert(1)" },
      { kind: "text", text: ")." },
    ]);
  });

  it("splits paragraphs and lists", () => {
    expect(markdownBlocks("First line\ncontinues.\n\n- one\n- `two`\n")).toEqual([
      { kind: "paragraph", inline: [{ kind: "text", text: "First line continues." }] },
      { kind: "list", items: [[{ kind: "text", text: "one" }], [{ kind: "code", text: "two" }]] },
    ]);
  });
});
