import { useId, useState } from 'react';
import type { StudyDateChoice } from '../../../../contract/worklist-filters.ts';

const fieldClass =
  'h-8 rounded border border-border bg-panel px-2 text-sm text-fg hover:border-accent focus-visible:outline-2 focus-visible:outline-accent';

/** Two dates of one's own for the study-date filter (either may stay empty); loaded only when chosen. */
export function CustomDates({
  value,
  onChange,
}: {
  value: StudyDateChoice;
  onChange: (value: StudyDateChoice) => void;
}) {
  const fromId = useId();
  const toId = useId();
  // What was last typed here, so the second date is sent with the first even before the address's
  // change (followed in a transition) has come back as `value`; a change from elsewhere (Back,
  // Clear) replaces it.
  const [typed, setTyped] = useState(value);
  const [followed, setFollowed] = useState(value);
  if (value !== followed) {
    setFollowed(value);
    setTyped(value);
  }
  const [from = '', to = ''] = typed.includes('..') ? typed.split('..') : [];
  const change = (nextFrom: string, nextTo: string) => {
    const next: StudyDateChoice = nextFrom === '' && nextTo === '' ? '' : `${nextFrom}..${nextTo}`;
    setTyped(next);
    onChange(next);
  };
  return (
    <div className="flex items-center gap-1.5">
      <label htmlFor={fromId} className="text-xs font-medium text-fg-muted">
        From
      </label>
      <input
        id={fromId}
        type="date"
        value={from}
        max={to || undefined}
        onChange={(event) => change(event.target.value, to)}
        className={fieldClass}
      />
      <label htmlFor={toId} className="text-xs font-medium text-fg-muted">
        to
      </label>
      <input
        id={toId}
        type="date"
        value={to}
        min={from || undefined}
        onChange={(event) => change(from, event.target.value)}
        className={fieldClass}
      />
    </div>
  );
}
