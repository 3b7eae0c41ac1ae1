import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/**
 * The runnable examples of the docs pages: fenced code blocks whose info string
 * carries the word `runnable` after the language (```` ```js runnable [openai] ````).
 * VitePress reads only the first word of an info string as the language and a
 * `[…]` as a code-group tab's title, so the marker changes nothing on the site.
 */

/** The languages a runnable example may be written in, each run by its own interpreter (run-example.ts). */
export const RUNNABLE_LANGUAGES = ["bash", "js", "python"] as const;
export type RunnableLanguage = (typeof RUNNABLE_LANGUAGES)[number];

export const RUNNABLE_MARKER = "runnable";

export interface InfoString {
  /** The first word, lower-cased; "" for a fence without one. */
  language: string;
  runnable: boolean;
}

export interface RunnableExample {
  /** The page's path below the pages folder, with forward slashes: `quickstart.md`. */
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: RunnableLanguage;
  code: string;
}

/** Splits an info string into its language and whether it carries the runnable marker. Titles (`[…]`) and highlight ranges (`{…}`) are ignored. */
export function parseInfoString(info: string): InfoString {
  const words = info
    .trim()
    .split(/\s+/)
    .filter((word) => word !== "");
  const [first = "", ...rest] = words;
  if (first === RUNNABLE_MARKER) return { language: "", runnable: true };
  return { language: first.toLowerCase(), runnable: rest.includes(RUNNABLE_MARKER) };
}

function isRunnableLanguage(language: string): language is RunnableLanguage {
  return (RUNNABLE_LANGUAGES as readonly string[]).includes(language);
}

// Any indentation: a fence nested in a list item is indented by its item, and one missed here would silently not run.
const OPENING_FENCE = /^( *)(`{3,}|~{3,})(.*)$/;

/**
 * The runnable examples of one Markdown page, in order. Throws, naming the page and
 * line, on a runnable fence in a language there is no interpreter for (or none) and
 * on a fence that is never closed: an example that would silently not run is a bug.
 */
export function extractRunnableExamples(markdown: string, page: string): RunnableExample[] {
  const lines = markdown.split(/\r?\n/);
  const examples: RunnableExample[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const opening = OPENING_FENCE.exec(lines[index]!);
    if (opening === null) continue;
    const [, indent = "", fence = "", info = ""] = opening;
    // A backtick fence's info string may not contain a backtick (CommonMark): such a line is inline code, not a fence.
    if (fence.startsWith("`") && info.includes("`")) continue;
    const closing = new RegExp(`^ *${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`);
    const end = lines.findIndex((line, at) => at > index && closing.test(line));
    if (end === -1) throw new Error(`${page}:${index + 1}: the code fence opened here is never closed.`);
    const { language, runnable } = parseInfoString(info);
    if (runnable) {
      if (!isRunnableLanguage(language)) {
        const named = language === "" ? "has no language" : `is in "${language}"`;
        throw new Error(`${page}:${index + 1}: a runnable example ${named}; runnable examples are ${RUNNABLE_LANGUAGES.join(", ")}.`);
      }
      // Content lines lose up to the fence's own indentation, as CommonMark has it.
      const body = lines.slice(index + 1, end).map((line) => line.replace(new RegExp(`^ {0,${indent.length}}`), ""));
      examples.push({ page, line: index + 1, language, code: `${body.join("\n")}\n` });
    }
    index = end;
  }
  return examples;
}

/** Every `.md` file below `directory` (dot folders such as `.vitepress` and node_modules left out), sorted. */
export function markdownFiles(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...markdownFiles(path));
    else if (entry.isFile() && entry.name.endsWith(".md")) found.push(path);
  }
  return found.sort();
}

/** The runnable examples of every page below `pagesDirectory`, page by page. */
export function readRunnableExamples(pagesDirectory: string): RunnableExample[] {
  return markdownFiles(pagesDirectory).flatMap((file) =>
    extractRunnableExamples(readFileSync(file, "utf8"), relative(pagesDirectory, file).split(sep).join("/")),
  );
}

/** A test name for an example: `<page>:<line>: <its first non-blank line>`, shortened. */
export function exampleName(example: RunnableExample): string {
  const first = example.code.split("\n").find((line) => line.trim() !== "") ?? "(empty)";
  const shown = first.trim().length > 72 ? `${first.trim().slice(0, 71)}…` : first.trim();
  return `${example.page}:${example.line}: ${shown}`;
}
