/** A study as Avara answers it, for tests that stand in for the upstream. */
export function studyFixture(studyId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
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
