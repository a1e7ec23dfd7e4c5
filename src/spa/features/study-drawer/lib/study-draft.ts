import type { Severity, Study, StudyUpdateParams, StudyViewerStatus } from '../../../../contract/avara-types.ts';
import { formatPersonName } from '../../../lib/format.ts';
import { SEVERITY_LABEL } from '../../../lib/severity-label.ts';
import { metadataFromRows, metadataRowsFrom, sameMetadata } from './metadata-rules.ts';
import type { MetadataRow } from './metadata-rules.ts';

/** What the edit form holds: the editable fields of a study, as the user is changing them. */
export interface StudyDraft {
  studyDescription: string;
  severity: Severity;
  studyViewerStatus: StudyViewerStatus;
  /** A `usr_…` ID, or null for unassigned. */
  assignedTo: string | null;
  metadata: MetadataRow[];
}

export function draftFromStudy(study: Study): StudyDraft {
  return {
    studyDescription: study.studyDescription,
    severity: study.severity,
    studyViewerStatus: study.studyViewerStatus,
    assignedTo: study.assignedTo?.userId ?? null,
    metadata: metadataRowsFrom(study.metadata),
  };
}

/** Only what differs from `base` (the API changes only the fields sent; `assignedTo: null` unassigns). */
export function changesFrom(base: Study, draft: StudyDraft): StudyUpdateParams {
  const changes: StudyUpdateParams = {};
  if (draft.studyDescription !== base.studyDescription) changes.studyDescription = draft.studyDescription;
  if (draft.severity !== base.severity) changes.severity = draft.severity;
  if (draft.studyViewerStatus !== base.studyViewerStatus) changes.studyViewerStatus = draft.studyViewerStatus;
  if (draft.assignedTo !== (base.assignedTo?.userId ?? null)) changes.assignedTo = draft.assignedTo;
  const metadata = metadataFromRows(draft.metadata);
  // The API replaces the whole map, so a change sends all of it.
  if (!sameMetadata(metadata, base.metadata)) changes.metadata = metadata;
  return changes;
}

export function hasChanges(changes: StudyUpdateParams): boolean {
  return Object.keys(changes).length > 0;
}

export type EditableField = 'studyDescription' | 'severity' | 'studyViewerStatus' | 'assignedTo' | 'metadata';

export const FIELD_LABEL: Record<EditableField, string> = {
  studyDescription: 'Description',
  severity: 'Severity',
  studyViewerStatus: 'Viewer status',
  assignedTo: 'Assignee',
  metadata: 'Metadata',
};

/** A field of a study as a person reads it, for the conflict view. */
export function describeField(study: Study, field: EditableField): string {
  switch (field) {
    case 'studyDescription':
      return study.studyDescription;
    case 'severity':
      return SEVERITY_LABEL[study.severity];
    case 'studyViewerStatus':
      return study.studyViewerStatus === 'complete' ? 'Read' : 'Unread';
    case 'assignedTo':
      return study.assignedTo ? formatPersonName(study.assignedTo) || study.assignedTo.email : 'Unassigned';
    case 'metadata': {
      const pairs = Object.entries(study.metadata ?? {});
      return pairs.length === 0 ? 'None' : pairs.map(([key, value]) => `${key}: ${value}`).join('; ');
    }
  }
}

/** The editable fields that differ between two versions of a study. */
export function changedFields(before: Study, after: Study): EditableField[] {
  const fields: EditableField[] = [];
  if (before.studyDescription !== after.studyDescription) fields.push('studyDescription');
  if (before.severity !== after.severity) fields.push('severity');
  if (before.studyViewerStatus !== after.studyViewerStatus) fields.push('studyViewerStatus');
  if ((before.assignedTo?.userId ?? null) !== (after.assignedTo?.userId ?? null)) fields.push('assignedTo');
  if (!sameMetadata(before.metadata, after.metadata)) fields.push('metadata');
  return fields;
}

/**
 * The user's edits carried over onto the version someone else saved: fields the user changed keep
 * the user's value, the rest take the other person's. Metadata merges key by key, so their new
 * notes survive the user's own.
 */
export function rebaseDraft(draft: StudyDraft, editedFrom: Study, current: Study): StudyDraft {
  const mine = changesFrom(editedFrom, draft);
  const next = draftFromStudy(current);
  if (mine.studyDescription !== undefined) next.studyDescription = draft.studyDescription;
  if (mine.severity !== undefined) next.severity = draft.severity;
  if (mine.studyViewerStatus !== undefined) next.studyViewerStatus = draft.studyViewerStatus;
  if (mine.assignedTo !== undefined) next.assignedTo = draft.assignedTo;
  if (mine.metadata !== undefined) {
    const before = editedFrom.metadata ?? {};
    // null clears the metadata: every key I had is gone.
    const theirs = mine.metadata ?? {};
    const merged: Record<string, string> = { ...current.metadata };
    for (const key of Object.keys(before)) if (!Object.hasOwn(theirs, key)) delete merged[key];
    for (const [key, value] of Object.entries(theirs)) if (before[key] !== value) merged[key] = value;
    next.metadata = metadataRowsFrom(merged);
  }
  return next;
}
