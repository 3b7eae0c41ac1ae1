/**
 * Code examples are written against a placeholder server; a reader should see,
 * and copy, the address of the server they are reading the docs on. The
 * placeholder is replaced in the rendered text of every code element, which is
 * also what VitePress's copy button copies (it reads the DOM when clicked).
 */
export const PLACEHOLDER_ORIGIN = "https://bentoo.example.com";

/**
 * `texts` with every `needle` in their concatenation replaced, where each string is
 * one text node of a highlighted code block in order: the highlighter may split a URL
 * across nodes, so a match's replacement goes into the node where it starts and the
 * rest of the match is cut from the nodes after it. Null when nothing matched.
 */
export function replaceAcross(texts: readonly string[], needle: string, replacement: string): string[] | null {
  if (needle === "") return null;
  const joined = texts.join("");
  const starts: number[] = [];
  for (let at = joined.indexOf(needle); at !== -1; at = joined.indexOf(needle, at + needle.length)) starts.push(at);
  if (starts.length === 0) return null;
  let match = 0;
  let offset = 0;
  return texts.map((text) => {
    let result = "";
    for (let index = 0; index < text.length; index += 1) {
      const position = offset + index;
      while (match < starts.length && starts[match]! + needle.length <= position) match += 1;
      const start = starts[match];
      if (start === undefined || position < start) result += text[index];
      else if (position === start) result += replacement;
    }
    offset += text.length;
    return result;
  });
}

/** Replaces the placeholder origin with `origin` in every code element under `root`; running it again changes nothing. */
export function showServerOrigin(root: ParentNode, origin: string): void {
  if (origin === PLACEHOLDER_ORIGIN) return;
  for (const code of root.querySelectorAll("code")) {
    if (!code.textContent?.includes(PLACEHOLDER_ORIGIN)) continue;
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    while (walker.nextNode()) nodes.push(walker.currentNode as Text);
    const replaced = replaceAcross(
      nodes.map((node) => node.data),
      PLACEHOLDER_ORIGIN,
      origin,
    );
    if (replaced === null) continue;
    nodes.forEach((node, index) => {
      if (node.data !== replaced[index]) node.data = replaced[index]!;
    });
  }
}
