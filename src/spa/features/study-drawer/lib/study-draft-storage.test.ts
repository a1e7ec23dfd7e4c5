import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { makeStudy } from '../../../testing/study-factory.ts';
import { draftOwnerOf } from '../../../lib/drafts/draft-owners.ts';
import { createDraftStore } from '../../../lib/drafts/draft-store.ts';
import { newMetadataRow } from './metadata-rules.ts';
import { forgetStudyEdit, keepStudyEdit, restoreStudyEdit } from './study-draft-storage.ts';
import { draftFromStudy } from './study-draft.ts';
import type { StudyDraft } from './study-draft.ts';

const study: Study = makeStudy({
  assignedTo: { userId: `usr_${'a'.repeat(32)}`, email: 'a@example.org' },
  metadata: { protocol: 'standard' },
});
const other: Study = { ...study, studyId: `stu_${'2'.repeat(32)}`, studyInstanceUid: '1.2.4' };

const ANA = draftOwnerOf({ authMode: 'dev', subject: 'ana@example.org' });
const BEN = draftOwnerOf({ authMode: 'dev', subject: 'ben@example.org' });

function edited(base: Study, patch: Partial<StudyDraft>): { editedFrom: Study; draft: StudyDraft } {
  return { editedFrom: base, draft: { ...draftFromStudy(base), ...patch } };
}

function memoryStore() {
  const items = new Map<string, string>();
  const storage: Storage = {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, value),
  };
  return { store: createDraftStore(() => storage, { now: () => 1_700_000_000_000 }), items };
}

describe('study draft storage', () => {
  it('restores an edit as the form held it, from the version it started from', () => {
    const { store } = memoryStore();
    const edit = edited(study, {
      studyDescription: 'CT Head without Contrast',
      metadata: [newMetadataRow('protocol', 'low dose'), newMetadataRow('note', 'call ED')],
    });
    keepStudyEdit(store, ANA, study.studyId, edit);

    const restored = restoreStudyEdit(store, ANA, study.studyId);
    expect(restored?.editedFrom).toEqual(study);
    expect(restored?.savedAt).toBe(1_700_000_000_000);
    expect(restored?.draft.studyDescription).toBe('CT Head without Contrast');
    expect(restored?.draft.metadata.map(({ key, value }) => [key, value])).toEqual([
      ['protocol', 'low dose'],
      ['note', 'call ED'],
    ]);
  });

  it('gives restored metadata rows IDs of this page load', () => {
    const { store } = memoryStore();
    const edit = edited(study, { metadata: [newMetadataRow('protocol', 'low dose')] });
    keepStudyEdit(store, ANA, study.studyId, edit);
    const restored = restoreStudyEdit(store, ANA, study.studyId);
    expect(restored?.draft.metadata[0]?.id).toMatch(/^metadata-row-\d+$/);
    expect(restored?.draft.metadata[0]?.id).not.toBe(edit.draft.metadata[0]?.id);
  });

  it('keeps one edit per study', () => {
    const { store } = memoryStore();
    keepStudyEdit(store, ANA, study.studyId, edited(study, { severity: 'stat' }));
    keepStudyEdit(store, ANA, other.studyId, edited(other, { severity: 'high' }));
    expect(restoreStudyEdit(store, ANA, study.studyId)?.draft.severity).toBe('stat');
    expect(restoreStudyEdit(store, ANA, other.studyId)?.draft.severity).toBe('high');
  });

  it('keeps one edit per person: another never gets it', () => {
    const { store } = memoryStore();
    keepStudyEdit(store, ANA, study.studyId, edited(study, { severity: 'stat' }));
    expect(restoreStudyEdit(store, BEN, study.studyId)).toBeNull();
    expect(restoreStudyEdit(store, ANA, study.studyId)?.draft.severity).toBe('stat');
  });

  it('forgets the edit once it has no changes (saved, discarded, or typed back)', () => {
    const { store, items } = memoryStore();
    keepStudyEdit(store, ANA, study.studyId, edited(study, { severity: 'stat' }));
    keepStudyEdit(store, ANA, study.studyId, edited(study, {}));
    expect(items.size).toBe(0);

    keepStudyEdit(store, ANA, study.studyId, edited(study, { severity: 'stat' }));
    keepStudyEdit(store, ANA, study.studyId, null);
    expect(items.size).toBe(0);

    keepStudyEdit(store, ANA, study.studyId, edited(study, { severity: 'stat' }));
    forgetStudyEdit(store, ANA, study.studyId);
    expect(restoreStudyEdit(store, ANA, study.studyId)).toBeNull();
  });

  it('never writes an edit without changes', () => {
    const { store, items } = memoryStore();
    keepStudyEdit(store, ANA, study.studyId, edited(study, {}));
    expect(items.size).toBe(0);
  });

  it('drops what is not an edit of this study', () => {
    const { store, items } = memoryStore();
    // An edit of another study under this study's key, and one with a field of the wrong type.
    store.write(ANA, `study:${study.studyId}`, {
      editedFrom: other,
      draft: { ...draftFromStudy(other), severity: 'stat', metadata: [] },
    });
    expect(restoreStudyEdit(store, ANA, study.studyId)).toBeNull();
    store.write(ANA, `study:${study.studyId}`, {
      editedFrom: study,
      draft: { ...draftFromStudy(study), severity: 'urgent', metadata: [] },
    });
    expect(restoreStudyEdit(store, ANA, study.studyId)).toBeNull();
    store.write(ANA, `study:${study.studyId}`, 'CT Head');
    expect(restoreStudyEdit(store, ANA, study.studyId)).toBeNull();
    expect(items.size).toBe(0);
  });
});
