import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Study, StudyListPage } from '../../../../contract/avara-types.ts';
import { numberedStudy } from '../../../testing/study-factory.ts';
import { applyStudyToLists } from './live-studies.ts';
import { studyKeys } from './study-keys.ts';

const study = (id: number, overrides: Partial<Study> = {}) => numberedStudy(id, { severity: 'stat', ...overrides });

function pages(...chunks: Array<{ studies: Study[]; hasMore: boolean }>) {
  return {
    pages: chunks.map((chunk, index): StudyListPage => ({
      studies: chunk.studies,
      hasMore: chunk.hasMore,
      ...(chunk.hasMore ? { cursor: `c${index + 1}` } : {}),
    })),
    pageParams: chunks.map((_, index) => (index === 0 ? undefined : `c${index}`)),
  };
}

function ids(client: QueryClient, key: readonly unknown[]): number[] {
  const data = client.getQueryData<{ pages: StudyListPage[] }>(key);
  return data?.pages.flatMap((page) => page.studies.map((candidate) => Number(candidate.studyId.slice(4)))) ?? [];
}

const stat = { severity: 'stat', isCancelled: false, studyViewerStatus: 'incomplete' } as const;
const high = { severity: 'high', isCancelled: false, studyViewerStatus: 'incomplete' } as const;
const view = { stat, high };

describe('applyStudyToLists', () => {
  it('updates a changed study in place on whichever page it is, keeping every other study where it was', () => {
    const client = new QueryClient();
    client.setQueryData(
      studyKeys.list(stat),
      pages({ studies: [study(1), study(2)], hasMore: true }, { studies: [study(3), study(4)], hasMore: true }),
    );
    const changed = study(3, { studyDescription: 'CT 3 with contrast', updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(applyStudyToLists(client, changed, view)).toEqual([{ severity: 'stat', placement: 'updated' }]);
    expect(ids(client, studyKeys.list(stat))).toEqual([1, 2, 3, 4]);
    const data = client.getQueryData<{ pages: StudyListPage[] }>(studyKeys.list(stat));
    expect(data?.pages[1]?.studies[0]?.studyDescription).toBe('CT 3 with contrast');
  });

  it('takes a study out of a list it no longer matches (read, cancelled, another severity) and puts it in the one it joins, in order', () => {
    const client = new QueryClient();
    client.setQueryData(studyKeys.list(stat), pages({ studies: [study(1), study(3), study(5)], hasMore: false }));
    client.setQueryData(
      studyKeys.list(high),
      pages({ studies: [study(2, { severity: 'high' }), study(6, { severity: 'high' })], hasMore: false }),
    );
    const raised = study(3, { severity: 'high', updatedAt: '2026-02-01T00:00:00.000Z' });
    expect(applyStudyToLists(client, raised, view)).toEqual([
      { severity: 'stat', placement: 'removed' },
      { severity: 'high', placement: 'inserted' },
    ]);
    expect(ids(client, studyKeys.list(stat))).toEqual([1, 5]);
    expect(ids(client, studyKeys.list(high))).toEqual([2, 3, 6]);

    applyStudyToLists(client, study(1, { isCancelled: true, updatedAt: '2026-02-01T00:00:00.000Z' }), view);
    applyStudyToLists(client, study(5, { studyViewerStatus: 'complete', updatedAt: '2026-02-01T00:00:00.000Z' }), view);
    expect(ids(client, studyKeys.list(stat))).toEqual([]);
  });

  it('puts a new study at the end of a complete list, and leaves one whose place is past the loaded pages to them', () => {
    const client = new QueryClient();
    client.setQueryData(studyKeys.list(stat), pages({ studies: [study(1), study(2)], hasMore: false }));
    client.setQueryData(studyKeys.list(high), pages({ studies: [study(1, { severity: 'high' })], hasMore: true }));
    expect(applyStudyToLists(client, study(9), view)).toEqual([
      { severity: 'stat', placement: 'inserted' },
      { severity: 'high', placement: 'unchanged' },
    ]);
    expect(ids(client, studyKeys.list(stat))).toEqual([1, 2, 9]);
    expect(applyStudyToLists(client, study(9, { severity: 'high' }), view)).toEqual([
      { severity: 'stat', placement: 'removed' },
      { severity: 'high', placement: 'beyond' },
    ]);
    expect(ids(client, studyKeys.list(high))).toEqual([1]);
  });

  it('writes every loaded list, also those of other filters, and reports only the groups of the view', () => {
    const client = new QueryClient();
    const mine = { ...stat, assignedTo: 'usr_0123456789abcdef0123456789abcdef' };
    client.setQueryData(
      studyKeys.list(mine),
      pages({
        studies: [study(1, { assignedTo: { userId: mine.assignedTo, email: 'a@b', firstName: 'A', lastName: 'B' } })],
        hasMore: false,
      }),
    );
    client.setQueryData(studyKeys.listHead(stat), { first: { studies: [], hasMore: false } });
    expect(applyStudyToLists(client, study(1, { updatedAt: '2026-02-01T00:00:00.000Z' }), view)).toEqual([]);
    expect(ids(client, studyKeys.list(mine))).toEqual([]);
  });

  it('ignores an event older than what the list holds', () => {
    const client = new QueryClient();
    client.setQueryData(
      studyKeys.list(stat),
      pages({ studies: [study(1, { updatedAt: '2026-03-01T00:00:00.000Z' })], hasMore: false }),
    );
    expect(
      applyStudyToLists(client, study(1, { isCancelled: true, updatedAt: '2026-02-01T00:00:00.000Z' }), view),
    ).toEqual([{ severity: 'stat', placement: 'unchanged' }]);
    expect(ids(client, studyKeys.list(stat))).toEqual([1]);
  });
});
