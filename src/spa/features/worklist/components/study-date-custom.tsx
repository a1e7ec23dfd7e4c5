import { useId, useState } from 'react';
import type { StudyDateChoice } from '../../../../contract/worklist-filters.ts';
import { RangeDateInput, type RangeEnd } from '../../../components/range-date-input.tsx';

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
      <DateEnd label="From" value={from} max={to} onChange={(date) => change(date, to)} />
      <DateEnd label="to" value={to} min={from} onChange={(date) => change(from, date)} />
    </div>
  );
}

/** One end of the range; the other end (when set) bounds it, so the range stays the right way round. */
function DateEnd({ label, ...end }: RangeEnd & { label: string }) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="text-xs font-medium text-fg-muted">
        {label}
      </label>
      <RangeDateInput id={id} {...end} className={fieldClass} />
    </>
  );
}
