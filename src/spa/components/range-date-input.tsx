/** One end of a date range as its field shows it: the date (empty when not set) and the other end's bound. */
export interface RangeEnd {
  value: string;
  min?: string;
  max?: string;
  onChange: (date: string) => void;
}

/**
 * One end of a date range (the dashboard's export, the worklist's own study dates): the other end,
 * when set, bounds it through `min` or `max`, so the range stays the right way round.
 */
export function RangeDateInput({
  id,
  value,
  min,
  max,
  required = false,
  className,
  onChange,
}: RangeEnd & { id?: string; required?: boolean; className: string }) {
  return (
    <input
      id={id}
      type="date"
      required={required}
      value={value}
      min={min || undefined}
      max={max || undefined}
      onChange={(event) => onChange(event.target.value)}
      className={className}
    />
  );
}
