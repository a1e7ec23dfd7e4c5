import { describe, expect, it } from 'vitest';
import type { Study } from '../../contract/avara-types.ts';
import type { Me } from '../../contract/worklist-api.ts';
import { avaraStudy } from '../../contract/testing/avara-study.ts';
import { firstGroupFilters, shownGroupFilters } from '../../contract/worklist-filters.ts';
import { renderFirstScreen } from './first-screen.tsx';

const ME: Me = {
  subject: 'casey',
  email: 'casey.coordinator@example.org',
  name: 'Casey Coordinator',
  role: 'coordinator',
  userId: `usr_${'c0'.repeat(16)}`,
  authMode: 'dev',
};
const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "quoted"';

function study(index: number, overrides: Partial<Study> = {}): Study {
  return avaraStudy(`stu_${index.toString(16).padStart(32, '0')}`, {
    studyInstanceUid: `1.2.840.113619.2.55.3.${index}`,
    studyDescription: `CT Head ${index}`,
    ...overrides,
  });
}

function input(url: string, studies: Study[], me: Me = ME) {
  const search = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  const filters = firstGroupFilters({ role: me.role, userId: me.userId }, search);
  if (!filters) throw new Error('no first group');
  return { me, url, filters, page: { studies, hasMore: true, cursor: 'next' } };
}

describe('renderFirstScreen', () => {
  it('renders the STAT group first, with a first screenful of its rows', () => {
    const studies = Array.from({ length: 100 }, (_, index) => study(index));
    const html = renderFirstScreen(input('/', studies)) ?? '';
    expect(html).toContain('role="grid"');
    const rows = html.match(/data-study-row/g) ?? [];
    expect(rows.length).toBeGreaterThanOrEqual(25);
    expect(rows.length).toBeLessThanOrEqual(40);
    const stat = html.indexOf('data-group="stat"');
    expect(stat).toBeGreaterThan(0);
    expect(html.indexOf('data-study-row')).toBeGreaterThan(stat);
    expect(html).toContain('CT Head 0');
  });

  it('renders a later group the page carries, and with a PACS its columns and the rows’ context', () => {
    const url = '/?q=kenji';
    const [, high] = shownGroupFilters({ role: ME.role, userId: ME.userId }, '?q=kenji');
    const row = study(7, { severity: 'high' });
    const context = {
      found: true,
      patientName: 'Patel, Kenji',
      patientId: 'MRN695525',
      modalities: ['CT'],
      studyDate: '2026-11-27',
      accessionNumber: 'ACC1',
      seriesCount: 1,
      instanceCount: 1,
    };
    const base = { ...input(url, []), page: { studies: [], hasMore: false } };
    const more = [{ filters: high ?? { severity: 'high' as const }, page: { studies: [row], hasMore: false } }];
    const withoutPacs = renderFirstScreen({ ...base, more }) ?? '';
    expect(withoutPacs).toContain('CT Head 7');
    expect(withoutPacs).not.toContain('Patel, Kenji');
    const pacs = {
      enabled: true as const,
      contexts: [{ studyInstanceUids: [row.studyInstanceUid], page: { studies: { [row.studyInstanceUid]: context } } }],
    };
    const html = renderFirstScreen({ ...base, more, pacs }) ?? '';
    expect(html.indexOf('data-study-row')).toBeGreaterThan(html.indexOf('data-group="high"'));
    expect(html).toContain('Patel, Kenji');
    expect(html).toContain('MRN695525');
  });

  it('escapes what the studies hold', () => {
    const html = renderFirstScreen(input('/', [study(1, { studyDescription: HOSTILE })])) ?? '';
    expect(html).toContain('data-study-row');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it("renders a radiologist's first screen, a search and the embedded list", () => {
    const radiologist: Me = { ...ME, role: 'radiologist', userId: `usr_${'a1'.repeat(16)}`, name: 'Riley Radiologist' };
    expect(renderFirstScreen(input('/', [study(1)], radiologist))).toContain('data-study-row');
    const search = renderFirstScreen(input('/?q=Doe%5EJane', [study(2, { studyDescription: 'MR Knee' })])) ?? '';
    expect(search).toContain('MR Knee');
    expect(search).toContain('value="Doe^Jane"');
    const embedded = renderFirstScreen(input('/?embed=1', [study(3)])) ?? '';
    expect(embedded).toContain('data-study-row');
    expect(embedded).not.toContain('<header');
  });

  it('renders nothing for data that is not the first page the app would ask for there', () => {
    const page = input('/', [study(1)]);
    expect(renderFirstScreen({ ...page, url: '/?groups=high' })).toBeUndefined();
    expect(renderFirstScreen({ ...page, url: '/dashboard' })).toBeUndefined();
    expect(renderFirstScreen({ ...page, page: { studies: 'not a list' } })).toBeUndefined();
  });

  it('shows each filter as chosen, with one selected option and no option twice', () => {
    for (const url of ['/', '/?modality=CT', '/?modality=ZZ', '/?date=7d&status=any', '/?assignee=anyone&overdue=1']) {
      const html = renderFirstScreen(input(url, [study(1)])) ?? '';
      const selects = [...html.matchAll(/<select[^>]*>(.*?)<\/select>/g)].map((match) => match[1] ?? '');
      expect(selects.length, url).toBeGreaterThan(3);
      for (const options of selects) {
        const values = [...options.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1]);
        expect(new Set(values).size, `${url}: ${options}`).toBe(values.length);
        expect(options.match(/selected=""/g)?.length, `${url}: ${options}`).toBe(1);
      }
    }
    expect(renderFirstScreen(input('/?modality=ZZ', [study(1)]))).toContain('<option value="ZZ" selected="">');
  });
});
