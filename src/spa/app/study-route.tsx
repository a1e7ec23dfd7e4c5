import type { ReactNode } from 'react';
import { useParams } from 'react-router';
import type { Study } from '../../contract/avara-types.ts';
import { PacsStudyPanel } from '../features/pacs/components/pacs-study-panel.tsx';
import { ReadingPanel } from '../features/reading/components/reading-panel.tsx';
import { ReadingSessionProvider, useReadingSession } from '../features/reading/components/reading-session.tsx';
import { StudyDrawerRoute } from '../features/study-drawer/components/study-drawer-route.tsx';
import { ViewerOpenGuardContext } from '../features/study-drawer/components/viewer-open-guard.ts';
import { NextStudyButton } from './next-study-button.tsx';

function renderStudyExtras(study: Study) {
  return (
    <>
      <ReadingPanel study={study} />
      <PacsStudyPanel study={study} />
    </>
  );
}

function renderReadingActions(_study: Study, { markedRead }: { markedRead: boolean }) {
  return <NextStudyButton placement="drawer" markedRead={markedRead} />;
}

/** Opening the viewer takes the study's reading lease (asking first when someone else reads it). */
function ReadingViewerGuard({ children }: { children: ReactNode }) {
  const session = useReadingSession();
  return (
    <ViewerOpenGuardContext.Provider value={session?.viewerGuard ?? null}>{children}</ViewerOpenGuardContext.Provider>
  );
}

/**
 * The study drawer with Next study beside its actions (for readers), who reads the study and who
 * has it open, and the study's PACS context under its actions (the PACS part shows nothing when no
 * PACS is connected).
 */
export function StudyRoute() {
  const { studyId = '' } = useParams();
  return (
    <ReadingSessionProvider key={studyId} studyId={studyId}>
      <ReadingViewerGuard>
        <StudyDrawerRoute renderStudyExtras={renderStudyExtras} renderReadingActions={renderReadingActions} />
      </ReadingViewerGuard>
    </ReadingSessionProvider>
  );
}
