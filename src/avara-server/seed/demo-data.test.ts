import { describe, expect, it } from 'vitest';
import { isStudyListPage, isUserListPage } from '../../contract/answer-shapes.ts';
import { SEVERITIES, type Study, type User } from '../../contract/avara-types.ts';
import { createContractValidator } from '../../contract/contract-validator.ts';
import { loadAvaraContract } from '../../contract/load-contract.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting } from '../../contract/sla.ts';
import { createMemoryRepository } from '../store/memory-repository.ts';
import { openSqliteRepository } from '../store/sqlite-repository.ts';
import type { StudyRepository } from '../store/study-repository.ts';
import { StudyService } from '../store/study-service.ts';
import { createRandom, DEFAULT_DEMO_STUDIES, featuredRadiologist, seedDemoData } from './demo-data.ts';

const API_KEY = {
  apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f',
  description: 'Radiology Worklist (bundled)',
  isViewerEnabled: true,
};
const NOW = new Date('2026-03-01T12:00:00.000Z');
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;
const validator = createContractValidator(loadAvaraContract());

function seeded(repository: StudyRepository = createMemoryRepository(), studies?: number) {
  seedDemoData(repository, { apiKey: API_KEY, now: NOW, studies });
  const service = new StudyService(repository, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
  return { service, studies: walk(service), users: service.listUsers({ limit: 100 }).users };
}

function walk(service: StudyService): Study[] {
  const studies: Study[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = service.listStudies({ limit: 100, cursor });
    studies.push(...page.studies);
    if (!page.hasMore) return studies;
    cursor = page.cursor ?? undefined;
  }
}

const share = (studies: Study[], test: (study: Study) => boolean) => studies.filter(test).length / studies.length;

describe('demo data', () => {
  const { studies, users } = seeded();

  it('seeds 2,500 studies by default with the severity and status mix of a real list', () => {
    expect(DEFAULT_DEMO_STUDIES).toBeGreaterThanOrEqual(2000);
    expect(studies).toHaveLength(DEFAULT_DEMO_STUDIES);
    expect(share(studies, (s) => s.severity === 'stat')).toBeCloseTo(0.05, 1);
    expect(share(studies, (s) => s.severity === 'high')).toBeCloseTo(0.2, 1);
    expect(share(studies, (s) => s.studyViewerStatus === 'complete')).toBeCloseTo(0.25, 1);
    expect(share(studies, (s) => s.isCancelled)).toBeGreaterThan(0.015);
    expect(share(studies, (s) => s.isCancelled)).toBeLessThan(0.05);
    expect(share(studies, (s) => s.assignedTo != null)).toBeCloseTo(0.6, 1);
    expect(share(studies, (s) => s.expressCustomer != null)).toBeGreaterThan(0.1);
    // `org` left the official SDK: the bundled server no longer answers it.
    expect(studies.every((s) => !('org' in s) || s.org === undefined)).toBe(true);
    expect(share(studies, (s) => s.createdByUser != null)).toBeGreaterThan(0.1);
    expect(share(studies, (s) => s.createdByApiKey?.apiKeyId === API_KEY.apiKeyId)).toBeGreaterThan(0.3);
  });

  it('spreads studies over the four days before seeding, inserted oldest first', () => {
    const times = studies.map((s) => Date.parse(s.createdAt ?? ''));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW.getTime() - 4 * 24 * 3600_000);
    expect(Math.max(...times)).toBeLessThan(NOW.getTime());
    for (const study of studies) {
      expect(Date.parse(study.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(study.createdAt ?? ''));
      expect(Date.parse(study.updatedAt ?? '')).toBeLessThanOrEqual(NOW.getTime());
      expect(study.isCancelled).toBe(study.cancelledAt !== null);
      if (study.studyViewerStatus === 'complete') expect(study.assignedTo).not.toBeNull();
    }
  });

  it('looks like a shift at its seeding time: what waits is mostly within its SLA target, a few studies past it', () => {
    const waiting = studies.filter((s) => s.studyViewerStatus === 'incomplete' && !s.isCancelled);
    const overdue = (study: Study) => isOverdue(minutesWaiting(study.createdAt, NOW.getTime()) ?? 0, study.severity);
    expect(share(waiting, overdue)).toBeGreaterThan(0.003);
    expect(share(waiting, overdue)).toBeLessThan(0.03);
    for (const severity of SEVERITIES) {
      const group = waiting.filter((s) => s.severity === severity);
      expect(group.length).toBeGreaterThan(0);
      // Within each severity most wait less than their target, and nothing waits past twice it.
      expect(share(group, overdue)).toBeLessThan(0.25);
      for (const study of group)
        expect(minutesWaiting(study.createdAt, NOW.getTime())).toBeLessThan(DEFAULT_SLA_TARGETS[severity] * 2);
    }
    // A couple of STAT and a few HIGH past target; some NORMAL near the end of theirs.
    const stat = waiting.filter((s) => s.severity === 'stat');
    expect(stat.filter(overdue).length).toBeGreaterThanOrEqual(2);
    expect(stat.length).toBeGreaterThanOrEqual(8);
    expect(stat.length).toBeLessThanOrEqual(40);
    expect(waiting.filter((s) => s.severity === 'high' && overdue(s)).length).toBeGreaterThanOrEqual(2);
    const nearTarget = waiting.filter(
      (s) =>
        s.severity === 'normal' &&
        !overdue(s) &&
        (minutesWaiting(s.createdAt, NOW.getTime()) ?? 0) >= 0.8 * DEFAULT_SLA_TARGETS.normal,
    );
    expect(nearTarget.length).toBeGreaterThan(10);
  });

  it('gives the first radiologist on the sign-in page some unread STAT of their own, beside unassigned ones', () => {
    // The people directory lists by last name (src/bff/people/people-directory.ts); Dr Adeyemi comes first.
    const featured = users.find((user) => user.userId === featuredRadiologist(users));
    expect(featured).toMatchObject({
      firstName: 'Samuel',
      lastName: 'Adeyemi',
      clinicRole: 'Radiologist',
      canManageStudies: false,
    });
    const unreadStat = studies.filter(
      (s) => s.severity === 'stat' && s.studyViewerStatus === 'incomplete' && !s.isCancelled,
    );
    expect(unreadStat.filter((s) => s.assignedTo === null).length).toBeGreaterThanOrEqual(3);
    expect(unreadStat.filter((s) => s.assignedTo?.userId === featured?.userId).length).toBeGreaterThanOrEqual(1);
    // Read and unread, a few cancelled, with customers: within every severity.
    for (const severity of SEVERITIES) {
      const group = studies.filter((s) => s.severity === severity);
      expect(group.some((s) => s.studyViewerStatus === 'complete')).toBe(true);
      expect(group.some((s) => s.studyViewerStatus === 'incomplete')).toBe(true);
      expect(group.some((s) => s.isCancelled)).toBe(true);
      expect(group.some((s) => s.expressCustomer !== null)).toBe(true);
    }
  });

  it('places studies relative to the seeding time it is given', () => {
    const later = new Date(NOW.getTime() + 7 * 24 * 3600_000);
    const repository = createMemoryRepository();
    seedDemoData(repository, { apiKey: API_KEY, now: later });
    const service = new StudyService(repository, { apiKey: API_KEY, viewerUrl: () => 'http://viewer.test' });
    const shifted = walk(service);
    expect(shifted.map((s) => Date.parse(s.createdAt ?? '') - later.getTime())).toEqual(
      studies.map((s) => Date.parse(s.createdAt ?? '') - NOW.getTime()),
    );
    expect(shifted.map((s) => s.severity)).toEqual(studies.map((s) => s.severity));
  });

  it('gives every study a valid, unique DICOM UID and a contract-valid shape', () => {
    const uids = studies.map((s) => s.studyInstanceUid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) {
      expect(uid).toMatch(UID);
      expect(uid.length).toBeLessThanOrEqual(64);
    }
    expect(
      validator.validateResponse('listStudies', 200, JSON.parse(JSON.stringify({ hasMore: false, studies }))),
    ).toEqual([]);
    // The BFF's and the SPA's shape check agrees: the bundled server's pages are never refused.
    expect(isStudyListPage({ hasMore: false, studies })).toBe(true);
  });

  it('uses real-world descriptions across modalities and realistic metadata', () => {
    const descriptions = new Set(studies.map((s) => s.studyDescription));
    for (const expected of [
      'CT Head without Contrast',
      'MRI Lumbar Spine w/o Contrast',
      'XR Chest 2 Views PA/Lateral',
      'US Abdomen Complete',
      'NM Bone Scan Whole Body',
      'Screening Mammogram Bilateral 3D',
    ]) {
      expect(descriptions).toContain(expected);
    }
    const modalities = new Set(studies.map((s) => s.metadata?.modality).filter(Boolean));
    expect(modalities).toEqual(new Set(['CT', 'MR', 'CR', 'DX', 'US', 'NM', 'MG', 'PT']));
    const withMetadata = studies.find((s) => s.metadata);
    expect(Object.keys(withMetadata?.metadata ?? {})).toEqual(
      expect.arrayContaining(['accessionNumber', 'modality', 'bodyPart', 'referringPhysician', 'site']),
    );
    const largest = Math.max(...studies.map((s) => Object.keys(s.metadata ?? {}).length));
    expect(largest).toBeGreaterThan(30);
    expect(largest).toBeLessThanOrEqual(50);
  });

  it('has a roster of named radiologists, coordinators and one owner', () => {
    const byRole = (role: string) => users.filter((user: User) => user.clinicRole === role);
    expect(users).toHaveLength(14);
    expect(byRole('Radiologist').length).toBeGreaterThanOrEqual(10);
    expect(byRole('Radiologist').every((user) => user.suffix1)).toBe(true);
    expect(new Set(byRole('Radiologist').flatMap((user) => [user.suffix1, user.suffix2]))).toEqual(
      new Set(['MD', 'DO', 'FACR', 'PhD', undefined]),
    );
    expect(byRole('Patient Care Coordinator').length).toBe(2);
    expect(byRole('Patient Care Coordinator').every((user) => user.canManageStudies && user.level === 'admin')).toBe(
      true,
    );
    expect(users.filter((user) => user.level === 'owner')).toHaveLength(1);
    for (const user of users) {
      expect(user.email).toMatch(/^[a-z-]+\.[a-z-]+@stmarys-radiology\.example$/);
      expect(user.userId).toMatch(/^usr_[0-9a-f]{32}$/);
    }
    expect(validator.validateResponse('listUsers', 200, JSON.parse(JSON.stringify({ hasMore: false, users })))).toEqual(
      [],
    );
    expect(isUserListPage({ hasMore: false, users })).toBe(true);
    const assignees = new Set(studies.map((s) => s.assignedTo?.userId).filter(Boolean));
    for (const userId of assignees) expect(byRole('Radiologist').map((user) => user.userId)).toContain(userId);
  });

  it('is deterministic for the same seed and time, in either store', () => {
    const again = seeded(openSqliteRepository(':memory:'));
    expect(again.users).toEqual(users);
    expect(again.studies).toEqual(studies);
  });

  it('does nothing to a store that already has studies and users', () => {
    const repository = createMemoryRepository();
    seedDemoData(repository, { apiKey: API_KEY, now: NOW, studies: 10 });
    expect(seedDemoData(repository, { apiKey: API_KEY, now: NOW, studies: 10 })).toEqual({
      usersInserted: 0,
      studiesInserted: 0,
    });
    expect(repository.countStudies()).toBe(10);
  });

  it('draws the same numbers from the same seed', () => {
    const a = createRandom('x');
    const b = createRandom('x');
    const draws = Array.from({ length: 5 }, () => [a.next(), b.next()]);
    for (const [left, right] of draws) expect(left).toBe(right);
    expect(createRandom('y').next()).not.toBe(createRandom('x').next());
  });
});
