import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import type { PacsStudyContext } from '../../../../contract/worklist-api.ts';
import { searchPage, WALK_BUDGET_MS, type SearchPage, type SearchPageOptions, type SourcePage } from './search-walk.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

function study(index: number, minutesAgo: number, description = `Study ${index}`): Study {
  const at = new Date(NOW - minutesAgo * 60_000).toISOString();
  return {
    studyId: `stu_${String(index).padStart(32, '0')}`,
    studyInstanceUid: `1.2.${index}`,
    studyDescription: description,
    severity: 'stat',
    studyViewerStatus: 'incomplete',
    isCancelled: false,
    cancelledAt: null,
    createdAt: at,
    updatedAt: at,
    assignedTo: null,
  };
}

/** A list of `count` studies read `pageSize` at a time (position: the index of the page's first study). */
function listOf(count: number, describe: (index: number) => string = (index) => `Study ${index}`) {
  const studies = Array.from({ length: count }, (_, index) => study(index, 5, describe(index)));
  const reads: number[] = [];
  const read = async (from: number | null, limit: number): Promise<SourcePage<number>> => {
    const start = from ?? 0;
    reads.push(start);
    const end = Math.min(start + limit, studies.length);
    return { studies: studies.slice(start, end), next: end < studies.length ? end : null };
  };
  return { studies, read, reads };
}

/** Every answer of a walk, from the start to the end. */
async function walkAll(options: Omit<SearchPageOptions<number>, 'from'>) {
  const answers: Study[][] = [];
  let from: number | null = null;
  do {
    const page: SearchPage<number> = await searchPage<number>({ ...options, from });
    answers.push(page.studies);
    from = page.next;
  } while (from !== null && answers.length < 1_000);
  return answers;
}

describe('searchPage', () => {
  it('asks the PACS once per upstream page, and only when the search needs it', async () => {
    const asked: string[][] = [];
    const contexts = async (uids: string[]) => {
      asked.push(uids);
      return {};
    };
    const read = async () => ({ studies: [study(1, 5), study(2, 5)], next: null });
    await searchPage({ read, contexts, from: null, limit: 2, search: { text: 'x' }, now: NOW });
    await searchPage({ read, contexts, from: null, limit: 2, search: { overdue: true }, now: NOW });
    expect(asked).toEqual([['1.2.1', '1.2.2']]);
  });

  it('asks the PACS once per upstream page, for that page, and reads the next page meanwhile', async () => {
    const asked: string[][] = [];
    const readsAtLookup: number[] = [];
    const { read, reads } = listOf(250);
    const context: PacsStudyContext = {
      found: true,
      patientName: 'Doe, Jane',
      patientId: 'MRN1',
      accessionNumber: 'ACC1',
      studyDate: null,
      modalities: ['CT'],
      seriesCount: 1,
      instanceCount: 1,
    };
    const page = await searchPage<number>({
      read,
      contexts: async (uids): Promise<Record<string, PacsStudyContext>> => {
        asked.push(uids);
        readsAtLookup.push(reads.length);
        return uids.includes('1.2.120') ? { '1.2.120': context } : {};
      },
      from: 50,
      limit: 100,
      search: { text: 'jane doe' },
      now: NOW,
    });
    expect(page.studies.map((entry) => entry.studyInstanceUid)).toEqual(['1.2.120']);
    expect(page.next).toBeNull();
    expect(asked.map((uids) => uids.length)).toEqual([100, 100]);
    // The second (last) page was on its way while the first was looked up.
    expect(readsAtLookup).toEqual([2, 2]);
  });

  it('ends the first answer at the first page with a match; a later one walks on to the limit', async () => {
    // A match every 150 studies, read 100 at a time.
    const { read, reads } = listOf(1_000, (index) => (index % 150 === 149 ? 'Needle' : 'Hay'));
    const first = await searchPage<number>({
      read,
      contexts: undefined,
      from: null,
      limit: 100,
      search: { text: 'needle' },
      now: NOW,
    });
    expect(first.studies.map((entry) => entry.studyInstanceUid)).toEqual(['1.2.149']);
    expect(first.next).toBe(200);
    expect(reads.slice(0, 2)).toEqual([0, 100]);
    const rest = await searchPage<number>({
      read,
      contexts: undefined,
      from: first.next,
      limit: 100,
      search: { text: 'needle' },
      now: NOW,
    });
    expect(rest.studies.map((entry) => entry.studyInstanceUid)).toEqual([
      '1.2.299',
      '1.2.449',
      '1.2.599',
      '1.2.749',
      '1.2.899',
    ]);
    expect(rest.next).toBeNull();
  });

  it('stops once its budget is spent, between pages, and goes on from there', async () => {
    let time = 0;
    const { read } = listOf(1_000);
    const slowRead = async (from: number | null, limit: number) => {
      time += 100;
      return read(from, limit);
    };
    const page = await searchPage<number>({
      read: slowRead,
      contexts: undefined,
      from: 0,
      limit: 100,
      search: { text: 'nothing like it' },
      now: NOW,
      clock: () => time,
    });
    expect(page.studies).toEqual([]);
    // Two pages in the budget (and a third read ahead, left unused): the next answer starts at it.
    expect(WALK_BUDGET_MS).toBeLessThan(300);
    expect(page.next).toBe(200);
  });

  it('leaves a page that would go past the limit for the next answer: every match once, in order', async () => {
    const matches = (index: number) => index % 3 === 0 || index % 7 === 0;
    const { studies, read } = listOf(2_000, (index) => (matches(index) ? 'Needle' : 'Hay'));
    const answers = await walkAll({ read, contexts: undefined, limit: 100, search: { text: 'needle' }, now: NOW });
    expect(answers.every((answer) => answer.length <= 100)).toBe(true);
    expect(answers.flat().map((entry) => entry.studyId)).toEqual(
      studies.filter((_, index) => matches(index)).map((entry) => entry.studyId),
    );
  });

  it('ends an overdue walk at the first study that has not waited its target', async () => {
    const read = async () => ({ studies: [study(1, 120), study(2, 90), study(3, 10)], next: 'next' });
    const page = await searchPage({
      read,
      contexts: undefined,
      from: null,
      limit: 3,
      search: { overdue: true },
      severity: 'stat',
      now: NOW,
    });
    expect(page.studies.map((entry) => entry.studyInstanceUid)).toEqual(['1.2.1', '1.2.2']);
    expect(page.next).toBeNull();
    const all = await searchPage({
      read: async () => ({ studies: [study(1, 120)], next: 'next' }),
      contexts: undefined,
      from: null,
      limit: 1,
      search: { overdue: true },
      severity: 'stat',
      now: NOW,
    });
    expect(all.next).toBe('next');
  });
});
