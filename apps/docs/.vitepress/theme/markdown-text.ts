/**
 * The little Markdown an OpenAPI description uses — paragraphs, `- ` lists,
 * `code`, **bold** and [links](…) — as data the page renders with plain
 * elements: no HTML from the document ever reaches the page, so a description
 * cannot inject markup or script.
 */
export type Inline = { kind: "text" | "code" | "strong"; text: string } | { kind: "link"; text: string; href: string };
export type Block = { kind: "paragraph"; inline: Inline[] } | { kind: "list"; items: Inline[][] };

const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;

/** Only links a reader can follow safely: web addresses and paths on this server. */
function safeHref(href: string): string | null {
  return /^(https?:\/\/|\/|#)/i.test(href) ? href : null;
}

export function inlineMarkdown(source: string): Inline[] {
  const parts: Inline[] = [];
  let last = 0;
  for (const match of source.matchAll(INLINE)) {
    if (match.index > last) parts.push({ kind: "text", text: source.slice(last, match.index) });
    const [whole, code, strong, linkText, href] = match;
    if (code !== undefined) parts.push({ kind: "code", text: code });
    else if (strong !== undefined) parts.push({ kind: "strong", text: strong });
    else {
      const safe = safeHref(href ?? "");
      parts.push(safe === null ? { kind: "text", text: whole } : { kind: "link", text: linkText ?? "", href: safe });
    }
    last = match.index + whole.length;
  }
  if (last < source.length) parts.push({ kind: "text", text: source.slice(last) });
  return parts;
}

export function markdownBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  for (const chunk of source.split(/\n\s*\n/)) {
    const lines = chunk
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    if (lines.length === 0) continue;
    if (lines.every((line) => /^[-*] /.test(line))) blocks.push({ kind: "list", items: lines.map((line) => inlineMarkdown(line.slice(2))) });
    else blocks.push({ kind: "paragraph", inline: inlineMarkdown(lines.join(" ")) });
  }
  return blocks;
}
