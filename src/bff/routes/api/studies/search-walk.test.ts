import { describe, expect, it } from 'vitest';
import type { Study } from '../../../../contract/avara-types.ts';
import { searchPage } from './search-walk.ts';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

function study(index: number, minutesAgo: number): Study {
  const at = new Date(NOW - minutesAgo * 60_000).toISOString();
  return {
    studyId: `stu_${String(index).padStart(32, '0')}`,
    studyInstanceUid: `1.2.${index}`,
    studyDescription: `Study ${index}`,
    severity: 'stat',
    studyViewerStatus: 'incomplete',
    isCancelled: false,
    cancelledAt: null,
    createdAt: at,
    updatedAt: at,
    assignedTo: null,
  };
}

describe('searchPage', () => {
  it('asks the PACS once for the page, and only when the search needs it', async () => {
    const asked: string[][] = [];
    const contexts = async (uids: string[]) => {
      asked.push(uids);
      return {};
    };
    const read = async () => ({ studies: [study(1, 5), study(2, 5)], next: 'next' });
    await searchPage({ read, contexts, from: null, limit: 2, search: { text: 'x' }, now: NOW });
    await searchPage({ read, contexts, from: null, limit: 2, search: { overdue: true }, now: NOW });
    expect(asked).toEqual([['1.2.1', '1.2.2']]);
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
