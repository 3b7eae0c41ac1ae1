import { CodeBlock } from "../../components/code-block";
import { Tabs } from "../../components/tabs";

/** Ready-to-paste ways to use a new key against this very server (its origin is the base URL). */
export function snippetsFor(key: string, origin: string): Array<{ id: string; label: string; code: string }> {
  const base = `${origin}/v1`;
  return [
    {
      id: "curl",
      label: "curl",
      code: [
        `curl ${base}/chat/completions \\`,
        `  -H "Authorization: Bearer ${key}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model":"openai/gpt-6-luna","messages":[{"role":"user","content":"Hello"}]}'`,
      ].join("\n"),
    },
    {
      id: "javascript",
      label: "JavaScript",
      code: [
        `import Bentoo from "bentoo";`,
        ``,
        `const client = new Bentoo({`,
        `  apiKey: "${key}",`,
        `  baseURL: "${base}",`,
        `});`,
        ``,
        `const completion = await client.chat.completions.create({`,
        `  model: "openai/gpt-6-luna",`,
        `  messages: [{ role: "user", content: "Hello" }],`,
        `});`,
      ].join("\n"),
    },
    {
      id: "python",
      label: "Python",
      code: [
        `from bentoo import Bentoo`,
        ``,
        `client = Bentoo(`,
        `    api_key="${key}",`,
        `    base_url="${base}",`,
        `)`,
        ``,
        `completion = client.chat.completions.create(`,
        `    model="openai/gpt-6-luna",`,
        `    messages=[{"role": "user", "content": "Hello"}],`,
        `)`,
      ].join("\n"),
    },
    {
      id: "env",
      label: "Environment",
      code: [`BENTOO_API_KEY=${key}`, `BENTOO_BASE_URL=${base}`].join("\n"),
    },
  ];
}

export function KeySnippets({ secret }: { secret: string }) {
  const items = snippetsFor(secret, window.location.origin).map((snippet) => ({
    id: snippet.id,
    label: snippet.label,
    content: <CodeBlock code={snippet.code} label={`${snippet.label} snippet with your new key`} />,
  }));
  return (
    <section className="snippets" aria-label="Use your key">
      <h3>Use it</h3>
      <Tabs items={items} label="Snippet language" />
      <p className="hint">
        Keep keys on your servers or in a secret manager; the SDKs read BENTOO_API_KEY from the environment. Never commit a key to source control.
      </p>
    </section>
  );
}
