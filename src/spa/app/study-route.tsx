import type { Study } from '../../contract/avara-types.ts';
import { PacsStudyPanel } from '../features/pacs/components/pacs-study-panel.tsx';
import { StudyDrawerRoute } from '../features/study-drawer/components/study-drawer-route.tsx';
import { NextStudyButton } from './next-study-button.tsx';

function renderPacsPanel(study: Study) {
  return <PacsStudyPanel study={study} />;
}

function renderReadingActions(_study: Study, { markedRead }: { markedRead: boolean }) {
  return <NextStudyButton placement="drawer" markedRead={markedRead} />;
}

/**
 * The study drawer with Next study beside its actions (for readers), and the study's PACS context
 * under them (nothing when no PACS is connected).
 */
export function StudyRoute() {
  return <StudyDrawerRoute renderStudyExtras={renderPacsPanel} renderReadingActions={renderReadingActions} />;
}
