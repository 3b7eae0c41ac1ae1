import { describe, expect, it } from "vitest";
import { curlsWithoutFailWithBody } from "./support/run-example.js";
import { exampleName, extractRunnableExamples, parseInfoString } from "./support/runnable-examples.js";

describe("parseInfoString", () => {
  it.each([
    ["js runnable", { language: "js", runnable: true }],
    ["bash runnable [curl]", { language: "bash", runnable: true }],
    ["python runnable [bentoo (Python)]", { language: "python", runnable: true }],
    ["JS runnable", { language: "js", runnable: true }],
    ["  js   runnable  ", { language: "js", runnable: true }],
    ["python [openai (Python)]", { language: "python", runnable: false }],
    ["ts {1,3}", { language: "ts", runnable: false }],
    ["bash", { language: "bash", runnable: false }],
    ["", { language: "", runnable: false }],
    ["runnable", { language: "", runnable: true }],
    ["js runnables", { language: "js", runnable: false }],
  ])("%j", (info, expected) => {
    expect(parseInfoString(info)).toEqual(expected);
  });
});

describe("extractRunnableExamples", () => {
  it("returns the marked fences with their page, line, language and code, and ignores the others", () => {
    const page = [
      "# Title", // 1
      "", // 2
      "```bash", // 3
      "exit 1", // 4
      "```", // 5
      "::: code-group", // 6
      "```js runnable [openai]", // 7
      "console.log(1);", // 8
      "", // 9
      "console.log(2);", // 10
      "```", // 11
      "```python [openai (Python)]", // 12
      "raise SystemExit(1)", // 13
      "```", // 14
      ":::", // 15
      "~~~python runnable", // 16
      "print('tilde')", // 17
      "~~~", // 18
      "```json", // 19
      '{"not": "runnable"}', // 20
      "```", // 21
    ].join("\n");
    expect(extractRunnableExamples(page, "guide.md")).toEqual([
      { page: "guide.md", line: 7, language: "js", code: "console.log(1);\n\nconsole.log(2);\n" },
      { page: "guide.md", line: 16, language: "python", code: "print('tilde')\n" },
    ]);
  });

  it("keeps a shorter fence inside a longer one as code", () => {
    const page = ["````bash runnable", "cat <<'EOF'", "```", "EOF", "````"].join("\n");
    expect(extractRunnableExamples(page, "nested.md")).toEqual([{ page: "nested.md", line: 1, language: "bash", code: "cat <<'EOF'\n```\nEOF\n" }]);
  });

  it("finds a fence indented in a list item and removes the indentation from its lines", () => {
    const page = ["1. Run:", "", "   ```bash runnable", "   echo one", "     echo two", "   ```"].join("\n");
    expect(extractRunnableExamples(page, "list.md")).toEqual([{ page: "list.md", line: 3, language: "bash", code: "echo one\n  echo two\n" }]);
  });

  it("does not read inline code with three backticks as a fence", () => {
    expect(extractRunnableExamples("``` js runnable ``` is how a fence is marked", "inline.md")).toEqual([]);
  });

  it("fails loudly on a runnable fence in a language it cannot run, naming the page and line", () => {
    expect(() => extractRunnableExamples("text\n```ts runnable\nlet a = 1;\n```\n", "typed.md")).toThrow(
      'typed.md:2: a runnable example is in "ts"; runnable examples are bash, js, python.',
    );
    expect(() => extractRunnableExamples("```javascript runnable\n1\n```\n", "alias.md")).toThrow('alias.md:1: a runnable example is in "javascript"');
    expect(() => extractRunnableExamples("```sh runnable\ntrue\n```\n", "sh.md")).toThrow('sh.md:1: a runnable example is in "sh"');
  });

  it("fails loudly on a runnable fence without a language", () => {
    expect(() => extractRunnableExamples("```runnable\ntrue\n```\n", "bare.md")).toThrow("bare.md:1: a runnable example has no language");
  });

  it("fails loudly on a fence that is never closed", () => {
    expect(() => extractRunnableExamples("# Page\n\n```js runnable\nconsole.log(1);\n", "open.md")).toThrow(
      "open.md:3: the code fence opened here is never closed.",
    );
  });
});

describe("exampleName", () => {
  it("is the page, the line and the first non-blank line, shortened", () => {
    const code = `\n  curl --fail-with-body -sS https://bentoo.example.com/v1/chat/completions -H "Authorization: Bearer $BENTOO_API_KEY"\n`;
    expect(exampleName({ page: "quickstart.md", line: 12, language: "bash", code })).toBe(
      "quickstart.md:12: curl --fail-with-body -sS https://bentoo.example.com/v1/chat/completion…",
    );
    expect(exampleName({ page: "a.md", line: 1, language: "js", code: "\n" })).toBe("a.md:1: (empty)");
  });
});

describe("curlsWithoutFailWithBody", () => {
  it("accepts curls that carry --fail-with-body, on continued lines too", () => {
    const code = [
      "curl --fail-with-body -sS https://bentoo.example.com/v1/models \\",
      '  -H "Authorization: Bearer $BENTOO_API_KEY"',
      "curl -sS https://bentoo.example.com/v1/key \\",
      "  --fail-with-body",
      "# curl in a comment is not a command",
      "echo done",
    ].join("\n");
    expect(curlsWithoutFailWithBody(code)).toEqual([]);
  });

  it("names each command line whose curl lacks it, wherever the curl stands", () => {
    const code = [
      "curl -sS https://bentoo.example.com/v1/models",
      'status=$(curl -s -o /dev/null -w "%{http_code}" https://bentoo.example.com/v1/key)',
      "curl --fail-with-body -sS https://bentoo.example.com/ok | curl -sS -d @- https://bentoo.example.com/v1/embeddings",
      "curl",
    ].join("\n");
    expect(curlsWithoutFailWithBody(code)).toEqual([
      "curl -sS https://bentoo.example.com/v1/models",
      'status=$(curl -s -o /dev/null -w "%{http_code}" https://bentoo.example.com/v1/key)',
      "curl --fail-with-body -sS https://bentoo.example.com/ok | curl -sS -d @- https://bentoo.example.com/v1/embeddings",
      "curl",
    ]);
  });
});
