import type { Study } from '../../contract/avara-types.ts';
import { PacsStudyPanel } from '../features/pacs/components/pacs-study-panel.tsx';
import { StudyDrawerRoute } from '../features/study-drawer/components/study-drawer-route.tsx';

function renderPacsPanel(study: Study) {
  return <PacsStudyPanel study={study} />;
}

/** The study drawer with the study's PACS context under its actions (nothing when no PACS is connected). */
export function StudyRoute() {
  return <StudyDrawerRoute renderStudyExtras={renderPacsPanel} />;
}
