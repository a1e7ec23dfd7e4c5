import { describe, expect, it } from 'vitest';
import { parseFilters } from '../../../../contract/worklist-filters.ts';
import { dashboardLinks } from './dashboard-links.ts';

const COORDINATOR = { role: 'coordinator', userId: 'usr_cccccccccccccccccccccccccccccccc' } as const;
const DR = 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const filtersOf = (link: string) => parseFilters(new URL(link, 'http://localhost').searchParams, COORDINATOR);

// The links are written with the worklist's own URL filters: read back by its parser, they are the lists they promise.
describe('the dashboard links land on the filtered worklist', () => {
  it('unread, unassigned, read per severity', () => {
    expect(filtersOf(dashboardLinks.unread('stat'))).toMatchObject({
      groups: ['stat'],
      assignee: 'anyone',
      viewerStatus: 'incomplete',
    });
    expect(filtersOf(dashboardLinks.unassigned('high'))).toMatchObject({
      groups: ['high'],
      assignee: 'unassigned',
      viewerStatus: 'incomplete',
    });
    expect(filtersOf(dashboardLinks.read('normal'))).toMatchObject({
      groups: ['normal'],
      assignee: 'anyone',
      viewerStatus: 'complete',
    });
    expect(filtersOf(dashboardLinks.overdue('stat'))).toMatchObject({
      groups: ['stat'],
      assignee: 'anyone',
      viewerStatus: 'incomplete',
      overdue: true,
    });
  });

  it('per radiologist: their unread (one severity or all), their read studies', () => {
    expect(filtersOf(dashboardLinks.assignedUnread(DR, 'stat'))).toMatchObject({
      groups: ['stat'],
      assignee: DR,
      viewerStatus: 'incomplete',
    });
    expect(filtersOf(dashboardLinks.assignedUnread(DR))).toMatchObject({
      groups: ['stat', 'high', 'normal'],
      assignee: DR,
    });
    expect(filtersOf(dashboardLinks.readBy(DR))).toMatchObject({ assignee: DR, viewerStatus: 'complete' });
  });
});
