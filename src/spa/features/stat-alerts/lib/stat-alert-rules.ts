import type { Severity, Study } from '../../../../contract/avara-types.ts';
import type { EventPerson, WorklistEvent } from '../../../../contract/worklist-events.ts';

/** What the decision needs to know of the person and their screen. */
export interface AlertViewer {
  /** Who is signed in, as events name people. */
  me: EventPerson;
  /** Whether the study would be listed under the person's current worklist filters. */
  matchesView: (study: Study) => boolean;
}

/**
 * Whether a stream event brings a STAT the person should be told about: a new STAT study, or one
 * raised to STAT from another severity (`previousSeverity`, as last known; unknown counts as not
 * raised, since a study the page never saw may just have entered the filters), unread and not
 * cancelled, listed under the person's filters, and not their own doing.
 */
export function statAlertFor(
  event: WorklistEvent,
  previousSeverity: Severity | undefined,
  viewer: AlertViewer,
): Study | null {
  if (event.type !== 'study.created' && event.type !== 'study.changed') return null;
  const { study } = event.data;
  if (study.severity !== 'stat' || study.isCancelled || study.studyViewerStatus === 'complete') return null;
  if (event.type === 'study.changed' && (previousSeverity === undefined || previousSeverity === 'stat')) return null;
  const by = 'by' in event.data ? event.data.by : undefined;
  if (by && samePersonAs(by, viewer.me)) return null;
  return viewer.matchesView(study) ? study : null;
}

function samePersonAs(a: EventPerson, b: EventPerson): boolean {
  if (a.userId !== null && b.userId !== null) return a.userId === b.userId;
  return a.email.toLowerCase() === b.email.toLowerCase();
}

const COUNT_PREFIX = /^\(\d+\) /;

/** "(2) Radiology Worklist" while alerts wait to be seen; the plain title at 0. */
export function titleWithCount(title: string, count: number): string {
  const base = title.replace(COUNT_PREFIX, '');
  return count > 0 ? `(${count}) ${base}` : base;
}
