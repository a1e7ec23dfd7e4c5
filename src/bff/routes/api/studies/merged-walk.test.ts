import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { mergedPage, startPosition, type FetchWalkPage, type MergedPosition, type WalkName } from './merged-walk.ts';
import { decodeMergedCursor, encodeMergedCursor, scopeOf } from './mine-or-unassigned-cursor.ts';

function study(index: number, walk: WalkName): Study {
  return {
    studyId: `stu_${index.toString(16).padStart(32, '0')}`,
    studyInstanceUid: `1.2.3.${index}`,
    studyDescription: 'CT Head',
    severity: 'stat',
    studyViewerStatus: 'incomplete',
    isCancelled: false,
    cancelledAt: null,
    createdAt: new Date(Date.UTC(2026, 11, 1, 8, 0, index)).toISOString(),
    updatedAt: null,
    assignedTo: walk === 'mine' ? { userId: `usr_${'a1'.repeat(16)}`, email: 'me@example.org' } : null,
  };
}

/** A list API over two lists, with keyset cursors like the bundled server's (the last index answered). */
function fakeUpstream(lists: Record<WalkName, Study[]>): FetchWalkPage & { reads: number } {
  const fetch = async (walk: WalkName, cursor: string | null, limit: number) => {
    fetch.reads += 1;
    const list = lists[walk];
    const after = cursor === null ? -1 : Number(cursor.slice(1));
    const start = list.findIndex((entry) => Number.parseInt(entry.studyId.slice(4), 16) > after);
    const studies = start === -1 ? [] : list.slice(start, start + limit);
    const last = studies.at(-1);
    const hasMore = start !== -1 && start + limit < list.length;
    return { studies, hasMore, cursor: hasMore && last ? `c${Number.parseInt(last.studyId.slice(4), 16)}` : undefined };
  };
  fetch.reads = 0;
  return fetch;
}

async function walkAll(
  fetch: FetchWalkPage,
  pageSize: number,
  between?: (seen: readonly Study[]) => void,
): Promise<Study[]> {
  const seen: Study[] = [];
  let from: MergedPosition | null = startPosition(pageSize);
  for (let guard = 0; from && guard < 1000; guard++) {
    const page = await mergedPage(fetch, from, pageSize);
    seen.push(...page.studies);
    // Through the cursor, as a browser would carry it.
    from = page.next ? (decodeMergedCursor(encodeMergedCursor(page.next, 'scope'), 'scope') ?? null) : null;
    between?.(seen);
  }
  return seen;
}

const listsArbitrary = fc.array(fc.constantFrom<WalkName>('mine', 'unassigned'), { maxLength: 120 }).map((walks) => {
  const lists: Record<WalkName, Study[]> = { mine: [], unassigned: [] };
  walks.forEach((walk, index) => lists[walk].push(study(index + 1, walk)));
  return lists;
});

describe('the "mine and unassigned" merge', () => {
  it('walks every study of both lists exactly once, oldest first, whatever the page size', async () => {
    await fc.assert(
      fc.asyncProperty(listsArbitrary, fc.integer({ min: 1, max: 30 }), async (lists, pageSize) => {
        const seen = await walkAll(fakeUpstream(lists), pageSize);
        const expected = [...lists.mine, ...lists.unassigned].sort((a, b) =>
          (a.createdAt ?? '').localeCompare(b.createdAt ?? ''),
        );
        expect(seen.map((entry) => entry.studyId)).toEqual(expected.map((entry) => entry.studyId));
      }),
    );
  });

  it('answers full pages while studies remain, and reads few upstream pages for each', async () => {
    const lists: Record<WalkName, Study[]> = { mine: [], unassigned: [] };
    for (let index = 1; index <= 250; index++)
      lists[index % 3 === 0 ? 'mine' : 'unassigned'].push(study(index, index % 3 === 0 ? 'mine' : 'unassigned'));
    const fetch = fakeUpstream(lists);
    const first = await mergedPage(fetch, startPosition(100), 100);
    expect(first.studies).toHaveLength(100);
    expect(first.studies.map((entry) => entry.studyId)).toEqual(
      [...lists.mine, ...lists.unassigned]
        .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''))
        .slice(0, 100)
        .map((entry) => entry.studyId),
    );
    expect(fetch.reads).toBe(2);
  });

  it('loses and repeats nothing still listed when an answered study leaves its list between pages', async () => {
    await fc.assert(
      fc.asyncProperty(listsArbitrary, fc.integer({ min: 2, max: 20 }), async (lists, pageSize) => {
        const fetch = fakeUpstream(lists);
        const removed = new Set<string>();
        const seen = await walkAll(fetch, pageSize, (answered) => {
          // The last study answered is claimed by someone else: it leaves its list before the next page.
          const last = answered.at(-1);
          const gone = lists.unassigned.find((entry) => !removed.has(entry.studyId) && entry.studyId === last?.studyId);
          if (gone) {
            removed.add(gone.studyId);
            lists.unassigned = lists.unassigned.filter((entry) => entry !== gone);
          }
        });
        const seenIds = new Set(seen.map((entry) => entry.studyId));
        expect(seen.length).toBe(seenIds.size);
        // Everything still listed at the end was answered.
        for (const entry of [...lists.mine, ...lists.unassigned]) expect(seenIds.has(entry.studyId)).toBe(true);
      }),
    );
  });
});

describe('the merged cursor', () => {
  const position: MergedPosition = {
    pageSize: 50,
    walks: {
      mine: {
        page: 'czEuMTIuYWJj',
        taken: 3,
        lastId: `stu_${'0'.repeat(31)}9`,
        lastCreatedAt: '2026-12-01T08:00:00.000Z',
      },
      unassigned: null,
    },
  };

  it('reads back what it was made of, for the same scope only', () => {
    const cursor = encodeMergedCursor(position, 'scope-a');
    expect(decodeMergedCursor(cursor, 'scope-a')).toEqual(position);
    expect(decodeMergedCursor(cursor, 'scope-b')).toBeUndefined();
  });

  it('refuses any change to it', () => {
    const cursor = encodeMergedCursor(position, 'scope-a');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: cursor.length - 1 }),
        fc.constantFrom(...'ABCxyz019-_.'),
        (index, replacement) => {
          fc.pre(cursor[index] !== replacement);
          const changed = `${cursor.slice(0, index)}${replacement}${cursor.slice(index + 1)}`;
          expect(decodeMergedCursor(changed, 'scope-a')).toBeUndefined();
        },
      ),
    );
    expect(decodeMergedCursor('', 'scope-a')).toBeUndefined();
    expect(decodeMergedCursor('x'.repeat(5000), 'scope-a')).toBeUndefined();
  });

  it('is bound to the person and the filters', () => {
    expect(scopeOf('usr_1', { severity: 'stat', isCancelled: false })).toBe(
      scopeOf('usr_1', { isCancelled: false, severity: 'stat' }),
    );
    expect(scopeOf('usr_1', { severity: 'stat' })).not.toBe(scopeOf('usr_2', { severity: 'stat' }));
    expect(scopeOf('usr_1', { severity: 'stat' })).not.toBe(scopeOf('usr_1', { severity: 'high' }));
  });
});
