import { useReadingRoomMe, useStudyLease, useStudyViewers } from '../api/reading-room.ts';
import { leaseLabel, viewersLabel } from '../lib/reading-words.ts';

/**
 * A row's reading state: "Being read by Dr X · 4 min", else who has it open, else nothing. Reads the
 * page's one store (no request per row) and re-renders only when this study's entry changes or the
 * list's clock ticks.
 */
export function StudyReadingCell({ studyId, now }: { studyId: string; now: Date }) {
  const me = useReadingRoomMe();
  const lease = useStudyLease(studyId);
  const viewers = useStudyViewers(studyId);
  if (lease) {
    const text = leaseLabel(lease, me, now.getTime());
    return (
      <span
        className="min-w-0 truncate rounded bg-accent/15 px-1 text-xs font-medium text-fg"
        title={text}
        data-testid="row-lease"
      >
        {text}
      </span>
    );
  }
  const open = viewersLabel(viewers, me);
  return open ? (
    <span className="min-w-0 truncate text-xs text-fg-muted" title={open} data-testid="row-viewers">
      {open}
    </span>
  ) : null;
}
