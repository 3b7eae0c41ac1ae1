import { CopyButton } from "./copy-button";

/** A ready-to-paste snippet with its own copy button. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <div className="code-block">
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex lint/a11y/useSemanticElements: a labelled region that takes focus, so the keyboard can scroll a long snippet */}
      <pre tabIndex={0} role="region" aria-label={label}>
        <code>{code}</code>
      </pre>
      <CopyButton text={code} label="Copy snippet" className="button button-small" />
    </div>
  );
}
