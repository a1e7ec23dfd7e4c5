import { describe, expect, it } from 'vitest';
import { isNextStudyAnswer, isRerouteUrlResponse, isStudy, isStudyListPage, isSuccessResponse, isUser, isUserListPage } from './answer-shapes.ts';
import { createContractValidator } from './contract-validator.ts';
import { loadAvaraContract } from './load-contract.ts';

const validator = createContractValidator(loadAvaraContract());

/** A study with every member the contract describes (the bundled server's pages: demo-data.test.ts). */
const study = {
  studyId: `stu_${'ab'.repeat(16)}`,
  studyInstanceUid: '1.2.840.113619.2.55.3.1',
  studyDescription: 'CT Head without Contrast',
  severity: 'stat',
  studyViewerStatus: 'incomplete',
  isCancelled: false,
  cancelledAt: null,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  assignedTo: { userId: `usr_${'a1'.repeat(16)}`, email: 'riley@example.org', firstName: 'Riley', lastName: null },
  createdByApiKey: { apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f', description: 'key' },
  createdByUser: null,
  expressCustomer: { expressCustomerId: `cus_${'c0'.repeat(16)}`, expressCustomerName: 'Clinic' },
  org: null,
  metadata: { modality: 'CT' },
};

describe('the shape checks', () => {
  it('accept what the contract accepts', () => {
    const page = { studies: [study, { ...study, assignedTo: undefined, org: undefined, metadata: null }], hasMore: true, cursor: 'abc' };
    expect(validator.validateResponse('listStudies', 200, page)).toEqual([]);
    expect(isStudyListPage(page)).toBe(true);
    expect(isStudyListPage({ studies: [], hasMore: false })).toBe(true);
    expect(isStudy(study)).toBe(true);
    expect(isUser({ userId: `usr_${'a1'.repeat(16)}`, email: 'riley@example.org' })).toBe(true);
  });

  it('refuse what a reader could not render', () => {
    for (const broken of [
      { ...study, studyId: 7 },
      { ...study, severity: 'urgent' },
      { ...study, studyDescription: { text: 'CT' } },
      { ...study, isCancelled: 'no' },
      { ...study, createdAt: 12 },
      { ...study, assignedTo: 'usr_x' },
      { ...study, metadata: ['a'] },
    ]) {
      expect(isStudy(broken), JSON.stringify(broken).slice(0, 80)).toBe(false);
      expect(isStudyListPage({ studies: [study, broken], hasMore: false })).toBe(false);
    }
    for (const page of [null, [], 'page', { studies: null, hasMore: false }, { studies: [], hasMore: 'no' }, { studies: [], hasMore: true, cursor: 5 }]) {
      expect(isStudyListPage(page), JSON.stringify(page)).toBe(false);
    }
    expect(isStudyListPage({ studies: [study], hasMore: true, cursor: 'abc' })).toBe(true);
  });

  it('check the small answers', () => {
    expect(isSuccessResponse({ success: true, message: 'done' })).toBe(true);
    expect(isSuccessResponse({ success: true, message: null })).toBe(true);
    expect(isSuccessResponse({ success: 'yes' })).toBe(false);
    expect(isRerouteUrlResponse({ url: 'https://viewer.example/x' })).toBe(true);
    expect(isRerouteUrlResponse({ link: 'https://viewer.example/x' })).toBe(false);
  });

  it('let a users page through with an unreadable user (the directory skips it)', () => {
    expect(isUserListPage({ users: [{ userId: 7 }], hasMore: false })).toBe(true);
    expect(isUserListPage({ users: [null], hasMore: false })).toBe(false);
  });

  it('check a Next-study answer: nothing waiting, or a study with its lease, claimed and a rule step', () => {
    const lease = { studyId: study.studyId, holder: { userId: null, email: 'riley@example.org', name: 'Riley' }, since: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-01T10:02:00.000Z' };
    expect(isNextStudyAnswer({ study: null })).toBe(true);
    expect(isNextStudyAnswer({ study, lease, claimed: true, step: 'unassigned-stat' })).toBe(true);
    expect(isNextStudyAnswer({ study, lease, claimed: true, step: 'someone-elses-stat' })).toBe(false);
    expect(isNextStudyAnswer({ study, lease: { ...lease, holder: null }, claimed: false, step: 'own-stat' })).toBe(false);
    expect(isNextStudyAnswer({ study, claimed: false, step: 'own-stat' })).toBe(false);
    expect(isNextStudyAnswer({})).toBe(false);
  });
});
