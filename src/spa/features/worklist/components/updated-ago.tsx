import { formatDateTime, formatElapsed } from '../../../lib/format.ts';
import { useNow } from './use-now.ts';

/**
 * How long ago the list was updated (`at`, epoch ms), counting up on screen every second; a screen
 * reader hears the clock time once instead of every second.
 */
export function UpdatedAgo({ at }: { at: number }) {
  const now = useNow(1_000).getTime();
  return (
    <>
      <span aria-hidden="true" className="tabular-nums">
        {formatElapsed(now - at)}
      </span>
      <span className="sr-only"> at {formatDateTime(new Date(at))}</span>
    </>
  );
}
