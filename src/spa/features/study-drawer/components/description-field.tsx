import type { ReactNode } from 'react';
import { INPUT } from './button-styles.ts';

/**
 * Under a form's field: what is wrong with it (at `id`, which the field's aria-describedby names)
 * or, while nothing is, the hint (when there is one).
 */
export function FieldMessage({ id, error, hint }: { id: string; error: string | undefined; hint?: ReactNode }) {
  if (error)
    return (
      <p id={id} className="mt-1 text-xs text-danger-fg">
        {error}
      </p>
    );
  return hint ? <p className="mt-1 text-xs text-fg-muted">{hint}</p> : null;
}

/** The labelled study description of the create and edit forms, with what is wrong with it. */
export function DescriptionField({
  id,
  errorId,
  value,
  error,
  hint,
  onChange,
  onBlur,
}: {
  id: string;
  errorId: string;
  value: string;
  error: string | undefined;
  hint?: ReactNode;
  onChange: (description: string) => void;
  onBlur?: () => void;
}) {
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium">
        Description
      </label>
      <textarea
        id={id}
        value={value}
        rows={2}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(event) => onChange(event.target.value)}
        onBlur={onBlur}
        className={`${INPUT} mt-1 resize-y`}
      />
      <FieldMessage id={errorId} error={error} hint={hint} />
    </div>
  );
}
