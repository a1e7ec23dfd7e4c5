import { describe, expect, it } from 'vitest';
import {
  defaultFilters,
  hasActiveFilters,
  parseFilters,
  studyDateRange,
  toListFilters,
  writeFilters,
} from './worklist-filters.ts';
import type { Viewer } from './worklist-filters.ts';

const userId = 'usr_0123456789abcdef0123456789abcdef';
const otherUser = 'usr_fedcba9876543210fedcba9876543210';
const customer = 'cus_00112233445566778899aabbccddeeff';
const radiologist: Viewer = { role: 'radiologist', userId };
const coordinator: Viewer = { role: 'coordinator', userId: 'usr_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' };

describe('worklist filters and the URL', () => {
  it('starts radiologists with their own and the unassigned studies, and coordinators with everyone’s', () => {
    expect(parseFilters(new URLSearchParams(), radiologist).assignee).toBe('mine-or-unassigned');
    expect(parseFilters(new URLSearchParams(), coordinator).assignee).toBe('anyone');
    // "Me" alone stays a choice, and a link can carry it.
    expect(parseFilters(new URLSearchParams('assignee=me'), radiologist).assignee).toBe('me');
    expect(parseFilters(new URLSearchParams('assignee=mine-or-unassigned'), coordinator).assignee).toBe(
      'mine-or-unassigned',
    );
    // Someone not on the roster has no "me" to filter by.
    expect(parseFilters(new URLSearchParams('assignee=me'), { role: 'radiologist', userId: null }).assignee).toBe(
      'anyone',
    );
    expect(
      parseFilters(new URLSearchParams('assignee=mine-or-unassigned'), { role: 'radiologist', userId: null }).assignee,
    ).toBe('anyone');
    expect(parseFilters(new URLSearchParams(), { role: 'radiologist', userId: null }).assignee).toBe('anyone');
  });

  it('reads every filter and falls back to the default for anything malformed', () => {
    const filters = parseFilters(
      new URLSearchParams(
        `q=%20CT%20&status=complete&assignee=${otherUser}&customer=${customer}&cancelled=1&groups=normal,stat`,
      ),
      coordinator,
    );
    expect(filters).toEqual({
      description: 'CT',
      modality: '',
      studyDate: '',
      overdue: false,
      critical: false,
      viewerStatus: 'complete',
      assignee: otherUser,
      customer,
      includeCancelled: true,
      groups: ['stat', 'normal'],
    });
    const garbled = parseFilters(
      new URLSearchParams('status=maybe&assignee=usr_x&customer=cus_x&groups=urgent&modality=C*&date=soon&overdue=yes'),
      coordinator,
    );
    expect(garbled).toEqual(defaultFilters(coordinator));
  });

  it('reads the search filters: modality, study dates, overdue', () => {
    const filters = parseFilters(new URLSearchParams('modality=ct&date=2026-03-09..2026-03-01&overdue=1'), coordinator);
    expect(filters).toMatchObject({ modality: 'CT', studyDate: '2026-03-01..2026-03-09', overdue: true });
    expect(parseFilters(new URLSearchParams('date=7d'), coordinator).studyDate).toBe('7d');
    expect(parseFilters(new URLSearchParams('date=..2026-03-01'), coordinator).studyDate).toBe('..2026-03-01');
    expect(parseFilters(new URLSearchParams('date=..'), coordinator).studyDate).toBe('');
    const params = writeFilters(new URLSearchParams(), {
      ...defaultFilters(coordinator),
      modality: 'MR',
      studyDate: 'yesterday',
      overdue: true,
    });
    expect(params.toString()).toBe('modality=MR&date=yesterday&overdue=1&assignee=anyone');
  });

  it("reads and writes the Critical results filter (the BFF's critical=true)", () => {
    const filters = parseFilters(new URLSearchParams('critical=1'), coordinator);
    expect(filters.critical).toBe(true);
    expect(parseFilters(new URLSearchParams('critical=yes'), coordinator).critical).toBe(false);
    expect(writeFilters(new URLSearchParams(), filters).get('critical')).toBe('1');
    expect(toListFilters(filters, 'stat', coordinator)).toMatchObject({ severity: 'stat', critical: true });
    expect(toListFilters(defaultFilters(coordinator), 'stat', coordinator)).not.toHaveProperty('critical');
  });

  it('turns study-date choices into dates on the local day', () => {
    const today = new Date(2026, 0, 3, 0, 30);
    expect(studyDateRange('today', today)).toEqual({ from: '2026-01-03', to: '2026-01-03' });
    expect(studyDateRange('yesterday', today)).toEqual({ from: '2026-01-02', to: '2026-01-02' });
    expect(studyDateRange('7d', today)).toEqual({ from: '2025-12-28', to: '2026-01-03' });
    expect(studyDateRange('2025-05-01..', today)).toEqual({ from: '2025-05-01' });
    const filters = { ...defaultFilters(coordinator), modality: 'CT', studyDate: 'today' as const, overdue: true };
    expect(toListFilters(filters, 'stat', coordinator, today)).toEqual({
      severity: 'stat',
      modality: 'CT',
      studyDateFrom: '2026-01-03',
      studyDateTo: '2026-01-03',
      overdue: true,
      studyViewerStatus: 'incomplete',
      isCancelled: false,
    });
  });

  it('round-trips through the URL, keeps other parameters, and leaves defaults out except the assignee', () => {
    const filters = {
      ...defaultFilters(coordinator),
      description: 'MRI',
      customer: 'none' as const,
      groups: ['stat' as const],
    };
    const params = writeFilters(new URLSearchParams('embed=1&status=complete'), filters);
    expect(params.toString()).toBe('embed=1&q=MRI&assignee=anyone&customer=none&groups=stat');
    expect(parseFilters(params, coordinator)).toEqual(filters);
    expect(writeFilters(new URLSearchParams(), defaultFilters(radiologist)).toString()).toBe(
      'assignee=mine-or-unassigned',
    );
  });

  it('maps each choice to the list API’s own filters, one group at a time', () => {
    const base = defaultFilters(radiologist);
    // Mine or unassigned is one value the BFF serves itself, by two walks it merges: nothing filtered here.
    expect(toListFilters(base, 'stat', radiologist)).toEqual({
      severity: 'stat',
      studyViewerStatus: 'incomplete',
      assignedTo: 'mine-or-unassigned',
      isCancelled: false,
    });
    expect(toListFilters(base, 'stat', { role: 'radiologist', userId: null }).assignedTo).toBeUndefined();
    expect(toListFilters({ ...base, assignee: 'me' }, 'stat', radiologist)).toEqual({
      severity: 'stat',
      studyViewerStatus: 'incomplete',
      assignedTo: userId,
      isCancelled: false,
    });
    expect(toListFilters({ ...base, assignee: 'unassigned', customer: 'none' }, 'high', radiologist)).toEqual({
      severity: 'high',
      studyViewerStatus: 'incomplete',
      assignedTo: '',
      expressCustomerId: '',
      isCancelled: false,
    });
    expect(
      toListFilters(
        { ...base, assignee: 'anyone', viewerStatus: 'any', includeCancelled: true, description: ' head ', customer },
        'normal',
        radiologist,
      ),
    ).toEqual({ severity: 'normal', search: 'head', expressCustomerId: customer });
    expect(toListFilters({ ...base, assignee: otherUser }, 'stat', radiologist).assignedTo).toBe(otherUser);
  });

  it('knows when anything differs from the defaults', () => {
    expect(hasActiveFilters(defaultFilters(coordinator), coordinator)).toBe(false);
    expect(hasActiveFilters({ ...defaultFilters(coordinator), includeCancelled: true }, coordinator)).toBe(true);
    expect(hasActiveFilters({ ...defaultFilters(coordinator), assignee: 'me' }, coordinator)).toBe(true);
    expect(hasActiveFilters(defaultFilters(radiologist), radiologist)).toBe(false);
    expect(hasActiveFilters({ ...defaultFilters(radiologist), assignee: 'me' }, radiologist)).toBe(true);
  });
});
