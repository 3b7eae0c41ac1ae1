import { useEffect, useState } from "react";

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No async clipboard (an insecure origin, or permission refused): the old way through a hidden field.
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.append(field);
    field.select();
    const copied = document.execCommand("copy");
    field.remove();
    return copied;
  }
}

/** Copies `text`; the result is announced to screen readers through a live region. */
export function CopyButton({ text, label = "Copy", className = "button" }: { text: string; label?: string; className?: string }) {
  const [result, setResult] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    if (result === "idle") return;
    const timer = window.setTimeout(() => setResult("idle"), 2500);
    return () => window.clearTimeout(timer);
  }, [result]);

  return (
    <span className="copy-button">
      <button type="button" className={className} onClick={() => void copyText(text).then((ok) => setResult(ok ? "copied" : "failed"))}>
        {result === "copied" ? "Copied" : label}
      </button>
      <span className="visually-hidden" role="status" aria-live="polite">
        {result === "copied" ? "Copied to the clipboard" : result === "failed" ? "Could not copy; select the text and copy it yourself" : ""}
      </span>
    </span>
  );
}
