import { CopyButton } from "./copy-button";

/** A ready-to-paste snippet with its own copy button. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <div className="code-block">
      <pre tabIndex={0} aria-label={label}>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} label="Copy snippet" className="button button-small" />
    </div>
  );
}
