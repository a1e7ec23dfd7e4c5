import type { ReactNode } from 'react';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import type { StudyActions } from '../../../../contract/permissions.ts';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { STUDY_KEYS } from '../../../lib/shortcuts/study-shortcuts.ts';
import type { CancelKind } from '../lib/quick-actions.ts';
import { BUTTON } from './button-styles.ts';
import { OpenInViewerButton } from './open-in-viewer-button.tsx';

/** Open in Viewer, then what the person may do in one click: Assign to me, Mark read or Reopen, Edit. */
export function StudyActionButtons({
  study,
  actions,
  busy,
  onClaim,
  onToggleRead,
  onEdit,
}: {
  study: Study;
  actions: StudyActions;
  busy: boolean;
  onClaim: () => void;
  onToggleRead: () => void;
  onEdit: () => void;
}) {
  return (
    <div className="flex flex-wrap items-start gap-2">
      <OpenInViewerButton studyId={study.studyId} />
      {actions.claim ? (
        <ActionButton shortcut={STUDY_KEYS.claim} disabled={busy} onClick={onClaim}>
          Assign to me
        </ActionButton>
      ) : null}
      {!actions.setViewerStatus ? null : study.studyViewerStatus === 'complete' ? (
        <ActionButton disabled={busy} onClick={onToggleRead}>
          Reopen
        </ActionButton>
      ) : (
        <ActionButton shortcut={STUDY_KEYS.markRead} disabled={busy} onClick={onToggleRead}>
          <span aria-hidden="true">✓</span>
          Mark read
        </ActionButton>
      )}
      {actions.edit ? (
        <ActionButton shortcut={STUDY_KEYS.edit} onClick={onEdit}>
          Edit
        </ActionButton>
      ) : null}
    </div>
  );
}

/** One of the drawer's one-click actions, with the key that does the same when it has one. */
function ActionButton({
  shortcut,
  disabled = false,
  onClick,
  children,
}: {
  shortcut?: string;
  disabled?: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={BUTTON.secondary}
      disabled={disabled}
      aria-keyshortcuts={shortcut}
      onClick={onClick}
    >
      {children}
    </button>
  );
}

/** The severity buttons and Cancel study (or Restore study), for those who may use them. */
export function SeverityAndCancel({
  study,
  actions,
  busy,
  onSeverity,
  onAskCancel,
}: {
  study: Study;
  actions: StudyActions;
  busy: boolean;
  onSeverity: (severity: Severity) => void;
  onAskCancel: (kind: CancelKind) => void;
}) {
  const restoreButton = (
    <ActionButton disabled={busy} onClick={() => onAskCancel('restore')}>
      Restore study
    </ActionButton>
  );
  if (!actions.setSeverity) return actions.cancel && study.isCancelled ? <div>{restoreButton}</div> : null;
  return (
    <fieldset className="flex flex-wrap items-center gap-2">
      <legend className="sr-only">Set severity</legend>
      <span aria-hidden="true" className="mr-1 text-sm text-fg-muted">
        Severity
      </span>
      {SEVERITIES.map((severity) => (
        <button
          key={severity}
          type="button"
          aria-pressed={study.severity === severity}
          aria-label={`Severity ${SEVERITY_LABEL[severity]}`}
          disabled={busy}
          onClick={() => onSeverity(severity)}
          className={`rounded border px-2.5 py-1 text-xs font-semibold ${
            study.severity === severity
              ? 'border-accent bg-accent/20 text-fg'
              : 'border-border text-fg-muted hover:border-accent hover:text-fg'
          }`}
        >
          {SEVERITY_LABEL[severity]}
        </button>
      ))}
      <span className="flex-1" />
      {!actions.cancel ? null : study.isCancelled ? (
        restoreButton
      ) : (
        <button type="button" className={BUTTON.danger} disabled={busy} onClick={() => onAskCancel('cancel')}>
          Cancel study
        </button>
      )}
    </fieldset>
  );
}
