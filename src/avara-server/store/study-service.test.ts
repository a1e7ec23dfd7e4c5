import { describe, expect, it } from 'vitest';
import type { Study, StudyCreateParams, User } from '../../contract/avara-types.ts';
import { seedDemoData } from '../seed/demo-data.ts';
import { AvaraError } from './avara-error.ts';
import { createMemoryRepository } from './memory-repository.ts';
import { openSqliteRepository } from './sqlite-repository.ts';
import type { StudyRepository } from './study-repository.ts';
import { StudyService } from './study-service.ts';

const API_KEY = {
  apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f',
  description: 'Radiology Worklist (bundled)',
  isViewerEnabled: true,
};
const ID = /^stu_[0-9a-f]{32}$/;

const repositories: Array<[string, () => StudyRepository]> = [
  ['memory', createMemoryRepository],
  ['sqlite', () => openSqliteRepository(':memory:')],
];

describe.each(repositories)('StudyService over the %s repository', (_name, openRepository) => {
  function setup(start = Date.parse('2026-03-01T08:00:00.000Z')) {
    const repository = openRepository();
    seedDemoData(repository, { studies: 0, apiKey: API_KEY });
    let clock = start;
    const service = new StudyService(repository, {
      apiKey: API_KEY,
      viewerUrl: (studyId) => `http://viewer.test/launch/${studyId}`,
      now: () => new Date(clock),
    });
    const users = service.listUsers({ limit: 100 }).users;
    const radiologist = users.find((user) => user.clinicRole === 'Radiologist' && user.level === 'member');
    const other = users.filter((user) => user.clinicRole === 'Radiologist').at(-1);
    if (!radiologist || !other) throw new Error('the roster has no radiologists');
    let uid = 1;
    const create = (params: Partial<StudyCreateParams> = {}): Study =>
      service.createStudy({
        severity: 'normal',
        studyDescription: 'CT Head without Contrast',
        studyInstanceUid: `1.2.3.${uid++}`,
        ...params,
      });
    return {
      repository,
      service,
      radiologist,
      other,
      create,
      tick: (ms = 1000) => {
        clock += ms;
      },
    };
  }

  function failure(run: () => unknown): AvaraError {
    try {
      run();
    } catch (error) {
      if (error instanceof AvaraError) return error;
      throw error;
    }
    throw new Error('expected an AvaraError');
  }

  describe('create', () => {
    it('answers the study with generated ID, timestamps and the server key as creator', () => {
      const { create, radiologist } = setup();
      const study = create({ assignedTo: radiologist.userId, metadata: { accessionNumber: 'A1' }, severity: 'stat' });
      expect(study).toMatchObject({
        studyId: expect.stringMatching(ID),
        studyInstanceUid: '1.2.3.1',
        severity: 'stat',
        studyViewerStatus: 'incomplete',
        isCancelled: false,
        cancelledAt: null,
        createdAt: '2026-03-01T08:00:00.000Z',
        updatedAt: '2026-03-01T08:00:00.000Z',
        createdByApiKey: API_KEY,
        createdByUser: null,
        expressCustomer: null,
        metadata: { accessionNumber: 'A1' },
      });
      expect(study.assignedTo).toEqual({
        email: radiologist.email,
        userId: radiologist.userId,
        firstName: radiologist.firstName,
        lastName: radiologist.lastName,
        middleName: radiologist.middleName,
        suffix1: radiologist.suffix1,
        suffix2: radiologist.suffix2,
      });
    });

    it('refuses a duplicate Study Instance UID with 409', () => {
      const { create } = setup();
      create({ studyInstanceUid: '1.2.840.1' });
      expect(failure(() => create({ studyInstanceUid: '1.2.840.1' }))).toMatchObject({
        status: 409,
        type: 'conflict',
        param: 'studyInstanceUid',
      });
    });

    it('refuses an unknown assignee or Express customer with 400 naming the field', () => {
      const { create } = setup();
      expect(failure(() => create({ assignedTo: `usr_${'0'.repeat(32)}` }))).toMatchObject({
        status: 400,
        type: 'invalid_request',
        param: 'assignedTo',
      });
      expect(failure(() => create({ expressCustomerId: `cus_${'0'.repeat(32)}` }))).toMatchObject({
        status: 400,
        param: 'expressCustomerId',
      });
    });
  });

  describe('retrieve', () => {
    it('finds a study by ID and by UID, and answers 404 for unknown ones', () => {
      const { service, create } = setup();
      const study = create();
      expect(service.retrieveStudy(study.studyId)).toEqual(study);
      expect(service.retrieveStudyByUid(study.studyInstanceUid)).toEqual(study);
      expect(failure(() => service.retrieveStudy(`stu_${'f'.repeat(32)}`))).toMatchObject({
        status: 404,
        type: 'not_found',
      });
      expect(failure(() => service.retrieveStudyByUid('9.9.9'))).toMatchObject({ status: 404, type: 'not_found' });
    });
  });

  describe('list', () => {
    it('pages oldest first, 20 by default, with a cursor only while more match', () => {
      const { service, create } = setup();
      const created = Array.from({ length: 30 }, () => create());
      const first = service.listStudies({});
      expect(first.studies.map((s) => s.studyId)).toEqual(created.slice(0, 20).map((s) => s.studyId));
      expect(first.hasMore).toBe(true);
      expect(first.cursor).toEqual(expect.any(String));
      const second = service.listStudies({ cursor: first.cursor ?? '' });
      expect(second.studies.map((s) => s.studyId)).toEqual(created.slice(20).map((s) => s.studyId));
      expect(second.hasMore).toBe(false);
      expect('cursor' in second && second.cursor !== undefined).toBe(false);
    });

    it('says hasMore false when the page ends exactly at the last match', () => {
      const { service, create } = setup();
      for (let i = 0; i < 4; i++) create();
      expect(service.listStudies({ limit: 4 })).toMatchObject({ hasMore: false, cursor: undefined });
      expect(service.listStudies({ limit: 3 })).toMatchObject({ hasMore: true });
    });

    it('filters by each field, empty assignee or customer meaning none', () => {
      const { service, create, radiologist, tick } = setup();
      const stat = create({ severity: 'stat', assignedTo: radiologist.userId });
      const high = create({ severity: 'high', studyDescription: 'MRI Lumbar Spine w/o Contrast' });
      const done = create();
      tick();
      service.updateStudy(done.studyId, { studyViewerStatus: 'complete' });
      const gone = create();
      service.cancelStudy({ studyId: gone.studyId });
      const ids = (query: Parameters<StudyService['listStudies']>[0]) =>
        service.listStudies(query).studies.map((s) => s.studyId);

      expect(ids({ severity: 'stat' })).toEqual([stat.studyId]);
      expect(ids({ assignedTo: radiologist.userId })).toEqual([stat.studyId]);
      expect(ids({ assignedTo: '' })).toEqual([high.studyId, done.studyId, gone.studyId]);
      expect(ids({ expressCustomerId: '' })).toHaveLength(4);
      expect(ids({ studyViewerStatus: 'complete' })).toEqual([done.studyId]);
      expect(ids({ isCancelled: true })).toEqual([gone.studyId]);
      expect(ids({ isCancelled: false, severity: 'normal' })).toEqual([done.studyId]);
      expect(ids({ studyDescription: 'lumbar SPINE' })).toEqual([high.studyId]);
    });

    it('treats LIKE wildcards in the description filter as plain characters', () => {
      const { service, create } = setup();
      const percent = create({ studyDescription: 'Dose 100% of protocol' });
      const underscore = create({ studyDescription: 'CT_HEAD' });
      create({ studyDescription: 'CTXHEAD 100 percent' });
      const ids = (studyDescription: string) => service.listStudies({ studyDescription }).studies.map((s) => s.studyId);
      expect(ids('100%')).toEqual([percent.studyId]);
      expect(ids('ct_head')).toEqual([underscore.studyId]);
      expect(ids('\\')).toEqual([]);
    });

    it('refuses a garbage cursor, a users cursor, or a cursor reused with other filters', () => {
      const { service, create } = setup();
      for (let i = 0; i < 3; i++) create({ severity: 'stat' });
      const cursor = service.listStudies({ severity: 'stat', limit: 1 }).cursor ?? '';
      expect(service.listStudies({ severity: 'stat', limit: 1, cursor }).studies).toHaveLength(1);
      for (const bad of [
        () => service.listStudies({ severity: 'high', cursor }),
        () => service.listStudies({ cursor: 'bm9wZQ' }),
      ]) {
        expect(failure(bad)).toMatchObject({ status: 400, type: 'invalid_request', param: 'cursor' });
      }
      const usersCursor = service.listUsers({ limit: 1 }).cursor ?? '';
      expect(failure(() => service.listStudies({ cursor: usersCursor }))).toMatchObject({
        status: 400,
        param: 'cursor',
      });
    });
  });

  describe('update', () => {
    it('changes only the fields present and moves updatedAt forward', () => {
      const { service, create, tick } = setup();
      const study = create({ metadata: { a: '1', b: '2' } });
      tick(5000);
      const updated = service.updateStudy(study.studyId, { severity: 'high' });
      expect(updated).toEqual({ ...study, severity: 'high', updatedAt: '2026-03-01T08:00:05.000Z' });
      expect(service.retrieveStudy(study.studyId)).toEqual(updated);
    });

    it('moves updatedAt forward even within the same millisecond', () => {
      const { service, create } = setup();
      const study = create();
      const first = service.updateStudy(study.studyId, { severity: 'high' });
      const second = service.updateStudy(study.studyId, { severity: 'stat' });
      expect(Date.parse(first.updatedAt ?? '')).toBeGreaterThan(Date.parse(study.updatedAt ?? ''));
      expect(Date.parse(second.updatedAt ?? '')).toBeGreaterThan(Date.parse(first.updatedAt ?? ''));
    });

    it('assigns, reassigns and unassigns with null', () => {
      const { service, create, radiologist, other } = setup();
      const study = create();
      expect(service.updateStudy(study.studyId, { assignedTo: radiologist.userId }).assignedTo?.userId).toBe(
        radiologist.userId,
      );
      expect(service.updateStudy(study.studyId, { assignedTo: other.userId }).assignedTo?.userId).toBe(other.userId);
      expect(service.updateStudy(study.studyId, { assignedTo: null }).assignedTo).toBeNull();
      expect(service.listStudies({ assignedTo: '' }).studies.map((s) => s.studyId)).toEqual([study.studyId]);
    });

    it('replaces the metadata as a whole', () => {
      const { service, create } = setup();
      const study = create({ metadata: { a: '1', b: '2' } });
      expect(service.updateStudy(study.studyId, { metadata: { c: '3' } }).metadata).toEqual({ c: '3' });
      expect(service.updateStudy(study.studyId, { metadata: {} }).metadata).toEqual({});
    });

    it('answers 404 for an unknown study and 400 for an unknown assignee', () => {
      const { service, create } = setup();
      expect(failure(() => service.updateStudy(`stu_${'e'.repeat(32)}`, { severity: 'high' }))).toMatchObject({
        status: 404,
      });
      const study = create();
      expect(failure(() => service.updateStudy(study.studyId, { assignedTo: `usr_${'1'.repeat(32)}` }))).toMatchObject({
        status: 400,
        param: 'assignedTo',
      });
    });
  });

  describe('cancel and uncancel', () => {
    it('cancels by ID, refuses a second cancel, restores by UID and refuses a second uncancel', () => {
      const { service, create, tick } = setup();
      const study = create();
      tick(60_000);
      expect(service.cancelStudy({ studyId: study.studyId })).toEqual({ success: true, message: expect.any(String) });
      expect(service.retrieveStudy(study.studyId)).toMatchObject({
        isCancelled: true,
        cancelledAt: '2026-03-01T08:01:00.000Z',
        updatedAt: '2026-03-01T08:01:00.000Z',
      });
      expect(failure(() => service.cancelStudy({ studyInstanceUid: study.studyInstanceUid }))).toMatchObject({
        status: 409,
        type: 'conflict',
      });

      expect(service.uncancelStudy({ studyInstanceUid: study.studyInstanceUid })).toMatchObject({ success: true });
      expect(service.retrieveStudy(study.studyId)).toMatchObject({ isCancelled: false, cancelledAt: null });
      expect(failure(() => service.uncancelStudy({ studyId: study.studyId }))).toMatchObject({
        status: 409,
        type: 'conflict',
      });
    });

    it('answers 404 for unknown studies', () => {
      const { service } = setup();
      expect(failure(() => service.cancelStudy({ studyId: `stu_${'a'.repeat(32)}` }))).toMatchObject({ status: 404 });
      expect(failure(() => service.uncancelStudy({ studyInstanceUid: '1.9' }))).toMatchObject({ status: 404 });
      expect(failure(() => service.rerouteUrl({ studyInstanceUid: '1.9' }))).toMatchObject({ status: 404 });
    });
  });

  it('answers a viewer URL for a known study', () => {
    const { service, create } = setup();
    const study = create();
    expect(service.rerouteUrl({ studyInstanceUid: study.studyInstanceUid })).toEqual({
      url: `http://viewer.test/launch/${study.studyId}`,
    });
  });

  describe('users', () => {
    it('lists the roster with filters and pages, and retrieves one user', () => {
      const { service } = setup();
      const all: User[] = [];
      let page = service.listUsers({ limit: 5 });
      all.push(...page.users);
      while (page.hasMore) {
        page = service.listUsers({ limit: 5, cursor: page.cursor ?? '' });
        all.push(...page.users);
      }
      expect(all.length).toBeGreaterThanOrEqual(12);
      expect(new Set(all.map((user) => user.userId)).size).toBe(all.length);

      const first = all[0];
      if (!first) throw new Error('no users');
      expect(service.listUsers({ email: first.email.toUpperCase() }).users).toEqual([first]);
      expect(service.listUsers({ lastName: first.lastName.slice(1, 4).toLowerCase() }).users).toContainEqual(first);
      expect(service.listUsers({ level: 'owner' }).users).toHaveLength(1);
      expect(service.listUsers({ level: 'admin' }).users.every((user) => user.canManageStudies)).toBe(true);
      const fromApi = service.listUsers({ invitedSource: 'api' }).users;
      expect(fromApi.length).toBeGreaterThan(0);
      expect(fromApi.every((user) => user.invitedSource === 'api')).toBe(true);
      expect(service.retrieveUser(first.userId)).toEqual(first);
      expect(failure(() => service.retrieveUser(`usr_${'9'.repeat(32)}`))).toMatchObject({
        status: 404,
        type: 'not_found',
      });
      expect(
        failure(() => service.listUsers({ level: 'member', cursor: service.listUsers({ limit: 1 }).cursor ?? '' })),
      ).toMatchObject({
        status: 400,
        param: 'cursor',
      });
    });
  });
});
