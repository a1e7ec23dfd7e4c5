import { describe, expect, it } from 'vitest';
import { foldAsciiCase as serverFold } from '../../src/avara-server/store/study-repository.ts';
import type { Study } from '../../src/contract/avara-types.ts';
import { foldAsciiCase, studyMatchesFilters } from '../../src/spa/lib/studies/study-matches-filters.ts';

const USER = 'usr_0123456789abcdef0123456789abcdef';
const CUSTOMER = 'cus_0123456789abcdef0123456789abcdef';

const study: Study = {
  studyId: 'stu_00000000000000000000000000000001',
  studyInstanceUid: '1.2.3',
  studyDescription: 'CT Head ÄBC',
  severity: 'stat',
  studyViewerStatus: 'incomplete',
  isCancelled: false,
  cancelledAt: null,
  createdAt: '2026-12-01T09:00:00.000Z',
  updatedAt: '2026-12-01T09:00:00.000Z',
  assignedTo: { userId: USER, email: 'a@example.org', firstName: 'A', lastName: 'B' },
  expressCustomer: { expressCustomerId: CUSTOMER, expressCustomerName: 'Clinic' },
};
const unassigned: Study = { ...study, assignedTo: null, expressCustomer: null };

describe('studyMatchesFilters', () => {
  it('keeps every study when there are no filters', () => {
    expect(studyMatchesFilters(study, {})).toBe(true);
  });

  it('severity', () => {
    expect(studyMatchesFilters(study, { severity: 'stat' })).toBe(true);
    expect(studyMatchesFilters(study, { severity: 'high' })).toBe(false);
  });

  it('studyViewerStatus', () => {
    expect(studyMatchesFilters(study, { studyViewerStatus: 'incomplete' })).toBe(true);
    expect(studyMatchesFilters(study, { studyViewerStatus: 'complete' })).toBe(false);
  });

  it('assignedTo: one person, or "" for explicitly unassigned', () => {
    expect(studyMatchesFilters(study, { assignedTo: USER })).toBe(true);
    expect(studyMatchesFilters(study, { assignedTo: 'usr_ffffffffffffffffffffffffffffffff' })).toBe(false);
    expect(studyMatchesFilters(study, { assignedTo: '' })).toBe(false);
    expect(studyMatchesFilters(unassigned, { assignedTo: '' })).toBe(true);
    expect(studyMatchesFilters(unassigned, { assignedTo: USER })).toBe(false);
  });

  it('expressCustomerId: one customer, or "" for none', () => {
    expect(studyMatchesFilters(study, { expressCustomerId: CUSTOMER })).toBe(true);
    expect(studyMatchesFilters(study, { expressCustomerId: '' })).toBe(false);
    expect(studyMatchesFilters(unassigned, { expressCustomerId: '' })).toBe(true);
    expect(studyMatchesFilters(unassigned, { expressCustomerId: CUSTOMER })).toBe(false);
  });

  it('isCancelled', () => {
    expect(studyMatchesFilters(study, { isCancelled: false })).toBe(true);
    expect(studyMatchesFilters(study, { isCancelled: true })).toBe(false);
    expect(studyMatchesFilters({ ...study, isCancelled: true }, { isCancelled: false })).toBe(false);
  });

  it('studyDescription: a substring, ASCII case folded only (as the list API)', () => {
    expect(studyMatchesFilters(study, { studyDescription: 'head' })).toBe(true);
    expect(studyMatchesFilters(study, { studyDescription: 'ct HEAD' })).toBe(true);
    expect(studyMatchesFilters(study, { studyDescription: 'äbc' })).toBe(false);
    expect(studyMatchesFilters(study, { studyDescription: 'ÄBC' })).toBe(true);
    expect(studyMatchesFilters(study, { studyDescription: 'chest' })).toBe(false);
  });

  it('needs every filter to match', () => {
    expect(
      studyMatchesFilters(study, {
        severity: 'stat',
        assignedTo: USER,
        isCancelled: false,
        studyViewerStatus: 'complete',
      }),
    ).toBe(false);
  });

  it('folds case as the bundled server does', () => {
    for (const text of ['CT Head', 'ÄÖÜ äöü', 'İstanbul', 'straße STRASSE', ''])
      expect(foldAsciiCase(text)).toBe(serverFold(text));
  });
});
