import { type FormEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import type { ApiError } from "../../api/client";
import { Alert } from "../../components/alert";
import { asApiError } from "../../lib/use-async";

interface AuthFormProps {
  title: string;
  submitLabel: string;
  /** Sign-up asks for a new password (≥ 10 characters, autocomplete new-password). */
  newPassword: boolean;
  onSubmit: (email: string, password: string) => Promise<void>;
  notice?: ReactNode;
  footer: ReactNode;
}

/** The sign-in / sign-up card: labelled fields, the server's message on failure, focus on the field it names. */
export function AuthForm({ title, submitLabel, newPassword, onSubmit, notice, footer }: AuthFormProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const hintId = useId();

  useEffect(() => {
    document.title = `${title} · Bentoo`;
    emailRef.current?.focus();
  }, [title]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(email.trim(), password);
    } catch (caught) {
      const failure = asApiError(caught);
      setError(failure);
      (failure.param === "password" ? passwordRef : emailRef).current?.focus();
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <main className="auth-card card">
        <div className="brand auth-brand">
          <span className="brand-mark" aria-hidden="true" />
          Bentoo
        </div>
        <h1>{title}</h1>
        {notice}
        <form onSubmit={(event) => void submit(event)} noValidate={false}>
          <div className="field">
            <label htmlFor="auth-email">Email</label>
            <input
              id="auth-email"
              ref={emailRef}
              type="email"
              name="email"
              autoComplete="email"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              aria-invalid={error?.param === "email" ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="auth-password">Password</label>
            <input
              id="auth-password"
              ref={passwordRef}
              type="password"
              name="password"
              autoComplete={newPassword ? "new-password" : "current-password"}
              required
              minLength={newPassword ? 10 : undefined}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby={newPassword ? hintId : undefined}
              aria-invalid={error?.param === "password" ? true : undefined}
            />
            {newPassword && (
              <p id={hintId} className="hint">
                At least 10 characters.
              </p>
            )}
          </div>
          {error !== null && (
            <Alert tone="error" testId="auth-error">
              {error.message}
            </Alert>
          )}
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? "Please wait…" : submitLabel}
          </button>
        </form>
        <p className="auth-footer">{footer}</p>
      </main>
    </div>
  );
}
