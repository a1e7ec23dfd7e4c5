import { formatDateTime, formatRelativeTime } from '../../../lib/format.ts';

/** "3 hours ago", with the exact local time on hover (and for screen readers, in `dateTime`). */
export function RelativeTime({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="text-fg-muted">Unknown</span>;
  return (
    <time
      dateTime={value}
      title={formatDateTime(value)}
      className="underline decoration-dotted decoration-fg-muted/60 underline-offset-2"
    >
      {formatRelativeTime(value)}
    </time>
  );
}
