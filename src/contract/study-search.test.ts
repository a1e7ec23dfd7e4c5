import { describe, expect, it } from 'vitest';
import type { Study } from './avara-types.ts';
import { foldForSearch, nameMatches, parseSearchQuery, studyIsOverdue, studyMatchesSearch } from './study-search.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const study: Study = {
  studyId: 'stu_00000000000000000000000000000001',
  studyInstanceUid: '1.2.3.4',
  studyDescription: 'CT Tête sans contraste',
  severity: 'stat',
  studyViewerStatus: 'incomplete',
  isCancelled: false,
  cancelledAt: null,
  createdAt: '2026-12-01T10:30:00.000Z',
  updatedAt: '2026-12-01T10:30:00.000Z',
  assignedTo: null,
  metadata: { accessionNumber: 'SMR20260001234', modality: 'CT' },
};
const context = {
  found: true as const,
  patientName: 'Müller, Jürgen',
  patientId: 'MRN-1',
  modalities: ['CT', 'SR'],
  studyDate: '2026-11-30',
  accessionNumber: 'ACC-9',
  seriesCount: 2,
  instanceCount: 10,
};

describe('the search text', () => {
  it('folds case and accents', () => {
    expect(foldForSearch('MÜLLER Straße Ærø')).toBe('muller strasse ærø');
  });

  it('matches name words in any order, each as a word start', () => {
    expect(nameMatches('DOE^JANE^M', 'jane doe')).toBe(true);
    expect(nameMatches('DOE^JANE^M', 'DOE^JANE')).toBe(true);
    expect(nameMatches('DOE^JANE^M', 'doe, j')).toBe(true);
    expect(nameMatches('DOE^JANE^M', 'oe')).toBe(false);
    expect(nameMatches('DOE^JANE^M', 'jane smith')).toBe(false);
    expect(nameMatches('DOE^JANE^M', '^')).toBe(false);
  });

  it('finds by description, patient, identifiers of the PACS, UID and metadata', () => {
    const matches = (text: string, known: 'pacs' | 'none' = 'pacs') =>
      studyMatchesSearch(study, known === 'pacs' ? context : undefined, { text }, NOW);
    expect(matches('tete')).toBe(true);
    expect(matches('jurgen muller')).toBe(true);
    expect(matches('mrn-1')).toBe(true);
    expect(matches('MRN')).toBe(false);
    expect(matches('acc-9')).toBe(true);
    expect(matches('1.2.3.4')).toBe(true);
    expect(matches('1.2.3')).toBe(false);
    expect(matches('smr20260001234', 'none')).toBe(true);
    expect(matches('muller', 'none')).toBe(false);
  });
});

describe('the filters', () => {
  it('modality and study date: the PACS, else the worklist', () => {
    expect(studyMatchesSearch(study, context, { modality: 'SR' }, NOW)).toBe(true);
    expect(studyMatchesSearch(study, undefined, { modality: 'SR' }, NOW)).toBe(false);
    expect(studyMatchesSearch(study, undefined, { modality: 'CT' }, NOW)).toBe(true);
    expect(studyMatchesSearch(study, context, { studyDateFrom: '2026-11-30', studyDateTo: '2026-11-30' }, NOW)).toBe(
      true,
    );
    expect(studyMatchesSearch(study, undefined, { studyDateFrom: '2026-11-30', studyDateTo: '2026-11-30' }, NOW)).toBe(
      false,
    );
    expect(studyMatchesSearch(study, undefined, { studyDateFrom: '2026-12-01' }, NOW)).toBe(true);
  });

  it('overdue: unread, not cancelled, past its severity target', () => {
    expect(studyIsOverdue(study, NOW)).toBe(true);
    expect(studyIsOverdue({ ...study, severity: 'high' }, NOW)).toBe(false);
    expect(studyIsOverdue({ ...study, studyViewerStatus: 'complete' }, NOW)).toBe(false);
    expect(studyIsOverdue({ ...study, isCancelled: true }, NOW)).toBe(false);
    expect(studyIsOverdue({ ...study, severity: 'high' }, NOW, { stat: 60, high: 60, normal: 60 })).toBe(true);
  });

  it('reads the query, leaving the list API parameters alone', () => {
    const { search, rest, issues } = parseSearchQuery({
      search: '  doe ',
      modality: 'ct',
      studyDateFrom: '2026-02-30',
      overdue: 'true',
      severity: 'stat',
    });
    expect(search).toEqual({ text: 'doe', modality: 'CT', overdue: true });
    expect(rest).toEqual({ severity: 'stat' });
    expect(issues.map((issue) => issue.name)).toEqual(['studyDateFrom']);
    expect(
      parseSearchQuery({ studyDateFrom: '2026-02-02', studyDateTo: '2026-02-01' }).issues.map((issue) => issue.name),
    ).toEqual(['studyDateTo']);
  });
});
