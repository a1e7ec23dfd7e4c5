import type { Study } from '../avara-types.ts';

/**
 * A study as Avara answers it (the members every study has), for the tests on each side of the
 * contract: the BFF's and the bundled server's (through test/support/study-fixture.ts), the
 * contract's own, and the SPA's server render. Here because src/contract is what all of them may import.
 */
export function avaraStudy(studyId: string, overrides: Partial<Study> = {}): Study {
  return {
    studyId,
    studyInstanceUid: '1.2.840.113619.2.55.3.1',
    studyDescription: 'CT Head without Contrast',
    severity: 'stat',
    studyViewerStatus: 'incomplete',
    isCancelled: false,
    cancelledAt: null,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}
