import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { makeStudy } from '../../../testing/study-factory.ts';
import { dicomUidProblem } from './dicom-uid.ts';
import { metadataFromRows, newMetadataRow, validateMetadata } from './metadata-rules.ts';
import { changesFrom, draftFromStudy, rebaseDraft } from './study-draft.ts';

const base: Study = makeStudy({
  assignedTo: { userId: `usr_${'a'.repeat(32)}`, email: 'a@example.org' },
  metadata: { protocol: 'standard', site: 'main' },
});

describe('changesFrom', () => {
  it('sends nothing when nothing changed, whatever the metadata order', () => {
    const draft = draftFromStudy(base);
    draft.metadata.reverse();
    expect(changesFrom(base, draft)).toEqual({});
  });

  it('sends only what changed, null to unassign, and the whole metadata map', () => {
    const draft = { ...draftFromStudy(base), assignedTo: null, severity: 'stat' as const };
    draft.metadata = [...draft.metadata, newMetadataRow(' note ', 'x')];
    expect(changesFrom(base, draft)).toEqual({
      assignedTo: null,
      severity: 'stat',
      metadata: { protocol: 'standard', site: 'main', note: 'x' },
    });
  });
});

describe('rebaseDraft', () => {
  it('keeps the user’s fields, takes theirs elsewhere, and merges metadata key by key', () => {
    const draft = draftFromStudy(base);
    draft.studyDescription = 'CT Head (mine)';
    draft.metadata = draft.metadata
      .filter((row) => row.key !== 'site')
      .map((row) => (row.key === 'protocol' ? { ...row, value: 'low dose' } : row));
    const theirs: Study = {
      ...base,
      severity: 'stat',
      updatedAt: '2026-01-02T00:00:00.000Z',
      metadata: { protocol: 'standard', site: 'main', callback: 'ED' },
    };
    const rebased = rebaseDraft(draft, base, theirs);
    expect(rebased.severity).toBe('stat');
    expect(rebased.studyDescription).toBe('CT Head (mine)');
    expect(metadataFromRows(rebased.metadata)).toEqual({ protocol: 'low dose', callback: 'ED' });
    expect(changesFrom(theirs, rebased)).toEqual({
      studyDescription: 'CT Head (mine)',
      metadata: { protocol: 'low dose', callback: 'ED' },
    });
  });
});

describe('validateMetadata', () => {
  it('names each broken limit at its row', () => {
    const rows = [
      newMetadataRow('', 'x'),
      newMetadataRow('k'.repeat(101), 'x'),
      newMetadataRow('a', 'v'.repeat(1001)),
      newMetadataRow('a', 'y'),
    ];
    const errors = validateMetadata(rows);
    expect(errors.rows[rows[0]?.id ?? '']?.key).toBe('Enter a key.');
    expect(errors.rows[rows[1]?.id ?? '']?.key).toMatch(/at most 100/);
    expect(errors.rows[rows[2]?.id ?? '']).toEqual({
      key: expect.stringMatching(/more than once/),
      value: expect.stringMatching(/at most 1000/),
    });
    expect(validateMetadata(Array.from({ length: 51 }, (_, i) => newMetadataRow(`k${i}`, 'v'))).form).toMatch(
      /At most 50 pairs/,
    );
  });
});

describe('dicomUidProblem', () => {
  it.each([
    ['1.2.840.10008.1.2', undefined],
    ['1.0.3', undefined],
    ['1.02.3', /leading|start with 0/],
    ['1..2', /empty/],
    ['1.2.', /empty/],
    ['1.2.a', /digits/],
    [`1.${'1'.repeat(63)}`, /64/],
  ])('%s', (uid, problem) => {
    if (problem === undefined) expect(dicomUidProblem(uid)).toBeUndefined();
    else expect(dicomUidProblem(uid)).toMatch(problem);
  });
});
