import type { Study } from '../../../../contract/avara-types.ts';
import { BUTTON } from '../../../components/button-styles.ts';
import { SeverityBadge } from '../../../components/severity-badge.tsx';

export interface StatToastsProps {
  studies: readonly Study[];
  onOpen: (studyId: string) => void;
  onDismiss: (studyId: string) => void;
}

/** The new-STAT toasts shown (in the alert's live region): each with Open and Dismiss. */
export function StatToasts({ studies, onOpen, onDismiss }: StatToastsProps) {
  return (
    <>
      {studies.map((study) => (
        <div
          key={study.studyId}
          data-testid="stat-toast"
          className="pointer-events-auto rounded-md border border-stat-border bg-panel-raised p-3 text-sm text-fg shadow-lg"
        >
          <p className="flex items-center gap-2 font-semibold">
            <SeverityBadge severity="stat" />
            New STAT study
          </p>
          <p className="mt-1 truncate" title={study.studyDescription}>
            {study.studyDescription}
          </p>
          <div className="mt-2 flex gap-2">
            <button type="button" className={BUTTON.primary} onClick={() => onOpen(study.studyId)}>
              Open
            </button>
            <button
              type="button"
              className={BUTTON.secondary}
              aria-label={`Dismiss the alert for ${study.studyDescription}`}
              onClick={() => onDismiss(study.studyId)}
            >
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </>
  );
}
