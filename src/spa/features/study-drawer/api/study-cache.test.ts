import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Study, StudyListPage } from '../../../../contract/avara-types.ts';
import { numberedStudy } from '../../../testing/study-factory.ts';
import { restoreStudies, snapshotStudies, writeStudyToCache } from './study-cache.ts';

const study = numberedStudy;

function pages(studies: Study[], hasMore = false) {
  const page: StudyListPage = { studies, hasMore, ...(hasMore ? { cursor: 'next' } : {}) };
  return { pages: [page], pageParams: [undefined] };
}

function ids(client: QueryClient, key: readonly unknown[]): string[] {
  const data = client.getQueryData<{ pages: StudyListPage[] }>(key);
  return data?.pages.flatMap((page) => page.studies.map((candidate) => candidate.studyId)) ?? [];
}

describe('writeStudyToCache', () => {
  const statKey = ['studies', 'list', { severity: 'stat', isCancelled: false }] as const;
  const normalKey = ['studies', 'list', { severity: 'normal', isCancelled: false }] as const;

  it('moves a study whose severity changed to its new group, in order, and updates the drawer', () => {
    const client = new QueryClient();
    client.setQueryData(statKey, pages([study(1, { severity: 'stat' }), study(5, { severity: 'stat' })]));
    client.setQueryData(normalKey, pages([study(2), study(3)]));
    // The worklist's first-page poll lives under the list key too; it is not a page list.
    client.setQueryData([...statKey, 'head'], { first: { studies: [], hasMore: false } });

    const raised = study(3, { severity: 'stat' });
    writeStudyToCache(client, raised);

    expect(ids(client, normalKey)).toEqual([study(2).studyId]);
    expect(ids(client, statKey)).toEqual([study(1).studyId, raised.studyId, study(5).studyId]);
    expect(client.getQueryData(['studies', 'detail', raised.studyId])).toEqual(raised);
    expect(client.getQueryData([...statKey, 'head'])).toEqual({ first: { studies: [], hasMore: false } });
  });

  it('leaves a study beyond the loaded pages to the refetch', () => {
    const client = new QueryClient();
    client.setQueryData(statKey, pages([study(1, { severity: 'stat' })], true));
    writeStudyToCache(client, study(9, { severity: 'stat' }));
    expect(ids(client, statKey)).toEqual([study(1).studyId]);
  });

  it('drops a cancelled study from lists of active ones, and a restore puts everything back', () => {
    const client = new QueryClient();
    client.setQueryData(normalKey, pages([study(2), study(3)]));
    const snapshot = snapshotStudies(client);
    writeStudyToCache(client, study(2, { isCancelled: true }));
    expect(ids(client, normalKey)).toEqual([study(3).studyId]);
    restoreStudies(client, snapshot);
    expect(ids(client, normalKey)).toEqual([study(2).studyId, study(3).studyId]);
  });

  it('keeps a claimed study in "assigned to me" lists and out of "unassigned" ones', () => {
    const client = new QueryClient();
    const me = 'usr_' + 'a'.repeat(32);
    const unassignedKey = ['studies', 'list', { severity: 'normal', assignedTo: '' }];
    const mineKey = ['studies', 'list', { severity: 'normal', assignedTo: me }];
    client.setQueryData(unassignedKey, pages([study(2), study(3)]));
    client.setQueryData(mineKey, pages([study(1, { assignedTo: { userId: me, email: 'me@example.org' } })]));
    writeStudyToCache(client, study(2, { assignedTo: { userId: me, email: 'me@example.org' } }));
    expect(ids(client, unassignedKey)).toEqual([study(3).studyId]);
    expect(ids(client, mineKey)).toEqual([study(1).studyId, study(2).studyId]);
  });
});
