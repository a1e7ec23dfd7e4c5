import { SEVERITIES } from '../../../../contract/avara-types.ts';
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import type { DraftStore } from '../../../lib/drafts/draft-store.ts';
import { newMetadataRow } from './metadata-rules.ts';
import type { MetadataRow } from './metadata-rules.ts';
import { changesFrom, hasChanges } from './study-draft.ts';
import type { StudyDraft } from './study-draft.ts';

/** An edit in progress: the version it started from (for If-Match and the diff) and the form's values. */
export interface KeptEdit {
  editedFrom: Study;
  draft: StudyDraft;
}

export interface RestoredEdit extends KeptEdit {
  /** When the edit was last kept (ms since the epoch). */
  savedAt: number;
}

function keyOf(studyId: string): string {
  return `study:${studyId}`;
}

/**
 * Keeps the edit of a study for its owner while it differs from where it started; an edit with no
 * changes left, or none at all (saved, discarded), is forgotten.
 */
export function keepStudyEdit(store: DraftStore, owner: string, studyId: string, edit: KeptEdit | null): void {
  if (!edit || !hasChanges(changesFrom(edit.editedFrom, edit.draft))) {
    store.remove(owner, keyOf(studyId));
    return;
  }
  const { editedFrom, draft } = edit;
  // Rows are kept without their IDs: those are only unique within one page load.
  const metadata = draft.metadata.map(({ key, value }) => ({ key, value }));
  store.write(owner, keyOf(studyId), { editedFrom, draft: { ...draft, metadata } });
}

/** The owner's kept edit of the study, as the form holds it, or null (none, or not readable). */
export function restoreStudyEdit(store: DraftStore, owner: string, studyId: string): RestoredEdit | null {
  const stored = store.read(owner, keyOf(studyId));
  if (!stored) return null;
  const edit = readKeptEdit(stored.value, studyId);
  if (!edit || !hasChanges(changesFrom(edit.editedFrom, edit.draft))) {
    store.remove(owner, keyOf(studyId));
    return null;
  }
  return { ...edit, savedAt: stored.savedAt };
}

export function forgetStudyEdit(store: DraftStore, owner: string, studyId: string): void {
  store.remove(owner, keyOf(studyId));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeverity(value: unknown): value is Severity {
  return SEVERITIES.some((severity) => severity === value);
}

/** Enough of a Study to edit against: what the form, the diff and the conflict view read. */
function isStudyOf(value: unknown, studyId: string): value is Study {
  if (!isRecord(value)) return false;
  const { assignedTo, metadata } = value;
  return (
    value.studyId === studyId &&
    typeof value.studyInstanceUid === 'string' &&
    typeof value.studyDescription === 'string' &&
    isSeverity(value.severity) &&
    (value.studyViewerStatus === 'complete' || value.studyViewerStatus === 'incomplete') &&
    (value.updatedAt === null || typeof value.updatedAt === 'string') &&
    (assignedTo === null ||
      assignedTo === undefined ||
      (isRecord(assignedTo) && typeof assignedTo.userId === 'string')) &&
    (metadata === null ||
      metadata === undefined ||
      (isRecord(metadata) && Object.values(metadata).every((entry) => typeof entry === 'string')))
  );
}

function readKeptEdit(value: unknown, studyId: string): KeptEdit | null {
  if (!isRecord(value) || !isStudyOf(value.editedFrom, studyId) || !isRecord(value.draft)) return null;
  const { studyDescription, severity, studyViewerStatus, assignedTo, metadata } = value.draft;
  if (typeof studyDescription !== 'string' || !isSeverity(severity)) return null;
  if (studyViewerStatus !== 'complete' && studyViewerStatus !== 'incomplete') return null;
  if (assignedTo !== null && typeof assignedTo !== 'string') return null;
  if (!Array.isArray(metadata)) return null;
  const rows: MetadataRow[] = [];
  for (const row of metadata) {
    if (!isRecord(row) || typeof row.key !== 'string' || typeof row.value !== 'string') return null;
    rows.push(newMetadataRow(row.key, row.value));
  }
  return {
    editedFrom: value.editedFrom,
    draft: { studyDescription, severity, studyViewerStatus, assignedTo, metadata: rows },
  };
}
