import { avaraStudy } from '../../src/contract/testing/avara-study.ts';

/** A study as Avara answers it, for tests that stand in for the upstream; `overrides` may be anything, even invalid. */
export function studyFixture(studyId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...avaraStudy(studyId), ...overrides };
}

export const DEMO_COORDINATOR = {
  userId: `usr_${'c0'.repeat(16)}`,
  email: 'casey.coordinator@example.org',
  firstName: 'Casey',
  lastName: 'Coordinator',
  clinicRole: 'Patient Care Coordinator',
  canManageStudies: true,
};

export const DEMO_RADIOLOGIST = {
  userId: `usr_${'a1'.repeat(16)}`,
  email: 'riley.radiologist@example.org',
  firstName: 'Riley',
  lastName: 'Radiologist',
  suffix1: 'MD',
  clinicRole: 'Radiologist',
  canManageStudies: false,
};

/** The users page Avara answers, with one coordinator and one radiologist. */
export function usersPageFixture(): Record<string, unknown> {
  const common = {
    middleName: null,
    suffix2: null,
    level: 'member',
    hasDashboardAccess: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastLoginAt: null,
    invitedSource: null,
  };
  return {
    users: [
      { suffix1: null, ...common, ...DEMO_COORDINATOR, level: 'admin' },
      { ...common, ...DEMO_RADIOLOGIST },
    ],
    hasMore: false,
    cursor: null,
  };
}
