import type { KeyScope, SpendPeriod } from "../../api/types";
import { type ControlsForm, PERIOD_LABELS, SCOPE_CHOICES } from "../../lib/key-controls";

interface KeyControlsFieldsProps {
  form: ControlsForm;
  onChange: (form: ControlsForm) => void;
  /** The field the last error named, marked invalid. */
  invalidParam: string | null;
}

const PERIODS: readonly SpendPeriod[] = ["day", "week", "month", "total"];

/** Permissions, budget, the key's own rate limits and its models: the part of the create dialog that restricts a key. */
export function KeyControlsFields({ form, onChange, invalidParam }: KeyControlsFieldsProps) {
  const invalid = (param: string) => (invalidParam === param || invalidParam?.startsWith(`${param}.`) ? true : undefined);
  const toggleScope = (scope: KeyScope, on: boolean) =>
    onChange({ ...form, scopes: SCOPE_CHOICES.map((choice) => choice.scope).filter((each) => (each === scope ? on : form.scopes.includes(each))) });

  return (
    <div className="key-controls" data-testid="key-controls">
      <fieldset className="field">
        <legend>Permissions</legend>
        {SCOPE_CHOICES.map((choice) => (
          <label key={choice.scope} className="choice">
            <input
              type="checkbox"
              name="key-scope"
              value={choice.scope}
              checked={form.scopes.includes(choice.scope)}
              onChange={(event) => toggleScope(choice.scope, event.target.checked)}
              aria-invalid={invalid("scopes")}
            />
            <span>
              <strong>{choice.title}</strong> — {choice.detail} <code className="muted">{choice.scope}</code>
            </span>
          </label>
        ))}
      </fieldset>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="key-budget">Budget (USD)</label>
          <input
            id="key-budget"
            inputMode="decimal"
            placeholder="No budget"
            value={form.budget}
            onChange={(event) => onChange({ ...form, budget: event.target.value })}
            aria-invalid={invalid("spend_cap")}
            aria-describedby="key-budget-hint"
          />
        </div>
        <div className="field">
          <label htmlFor="key-budget-period">Budget period</label>
          <select id="key-budget-period" value={form.period} onChange={(event) => onChange({ ...form, period: event.target.value as SpendPeriod })}>
            {PERIODS.map((period) => (
              <option key={period} value={period}>
                {PERIOD_LABELS[period]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p id="key-budget-hint" className="hint">
        Requests that could take the key past its budget get 402 until the period starts again (UTC days, weeks from Monday, calendar months).
      </p>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="key-rpm">Requests per minute</label>
          <input
            id="key-rpm"
            inputMode="numeric"
            placeholder="Account's limit"
            value={form.rpm}
            onChange={(event) => onChange({ ...form, rpm: event.target.value })}
            aria-invalid={invalid("rpm_limit")}
          />
        </div>
        <div className="field">
          <label htmlFor="key-tpm">Tokens per minute</label>
          <input
            id="key-tpm"
            inputMode="numeric"
            placeholder="Account's limit"
            value={form.tpm}
            onChange={(event) => onChange({ ...form, tpm: event.target.value })}
            aria-invalid={invalid("tpm_limit")}
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor="key-models">Allowed models</label>
        <input
          id="key-models"
          placeholder="Every model"
          value={form.models}
          onChange={(event) => onChange({ ...form, models: event.target.value })}
          aria-invalid={invalid("models")}
          aria-describedby="key-models-hint"
        />
        <p id="key-models-hint" className="hint">
          Model ids or patterns, separated by commas: <code>anthropic/*, openai/gpt-6-luna</code>.
        </p>
      </div>
    </div>
  );
}
