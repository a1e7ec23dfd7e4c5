import { useParams } from 'react-router';
import { StudyDrawer } from './study-drawer.tsx';
import type { StudyDrawerProps } from './study-drawer.tsx';

/**
 * The study drawer, opened by `/studies/:studyId` beside the worklist (the worklist stays mounted,
 * with its filters and scroll position). Closing goes back to the list with the same search params.
 */
export function StudyDrawerRoute({
  renderStudyExtras,
  renderReadingActions,
}: Pick<StudyDrawerProps, 'renderStudyExtras' | 'renderReadingActions'> = {}) {
  const { studyId = '' } = useParams();
  // A fresh drawer per study: another row's edits, questions and focus origin must not carry over.
  return (
    <StudyDrawer
      key={studyId}
      studyId={studyId}
      renderStudyExtras={renderStudyExtras}
      renderReadingActions={renderReadingActions}
    />
  );
}
