import { describe, expect, it } from 'vitest';
import {
  isNextStudyAnswer,
  isRerouteUrlResponse,
  isStudy,
  isStudyListPage,
  isSuccessResponse,
  isUser,
  isUserListPage,
} from './answer-shapes.ts';
import { createContractValidator } from './contract-validator.ts';
import { loadAvaraContract } from './load-contract.ts';
import { avaraStudy } from './testing/avara-study.ts';

const validator = createContractValidator(loadAvaraContract());

/** A study with every member the contract describes (the bundled server's pages: demo-data.test.ts). */
const study = {
  ...avaraStudy(`stu_${'ab'.repeat(16)}`),
  assignedTo: { userId: `usr_${'a1'.repeat(16)}`, email: 'riley@example.org', firstName: 'Riley', lastName: 'Jones' },
  createdByApiKey: { apiKeyId: '0b7c8e0e-3c1f-4d8a-9f6e-1a2b3c4d5e6f', description: 'key' },
  createdByUser: null,
  expressCustomer: { expressCustomerId: `cus_${'c0'.repeat(16)}`, expressCustomerName: 'Clinic' },
  org: null,
  metadata: { modality: 'CT' },
};

describe('the shape checks', () => {
  it('accept what the contract accepts', () => {
    const page = {
      studies: [study, { ...study, assignedTo: undefined, org: undefined, metadata: undefined }],
      hasMore: true,
      cursor: 'abc',
    };
    expect(validator.validateResponse('listStudies', 200, JSON.parse(JSON.stringify(page)))).toEqual([]);
    expect(isStudyListPage(page)).toBe(true);
    expect(isStudyListPage({ studies: [], hasMore: false })).toBe(true);
    expect(isStudy(study)).toBe(true);
    expect(isUser({ userId: `usr_${'a1'.repeat(16)}`, email: 'riley@example.org' })).toBe(true);
  });

  it('tolerate null as well as absence for every optional field, and fields the contract does not name', () => {
    const person = {
      userId: `usr_${'a1'.repeat(16)}`,
      email: 'riley@example.org',
      firstName: null,
      lastName: null,
      middleName: null,
      suffix1: null,
      suffix2: null,
    };
    const nulls = {
      ...study,
      assignedTo: person,
      createdByApiKey: { ...study.createdByApiKey, isViewerEnabled: null, isClinicalContextEnrichmentEnabled: true },
      createdByUser: null,
      expressCustomer: null,
      org: { orgId: `org_${'d0'.repeat(16)}`, orgName: 'Group' },
      metadata: null,
      cancelledAt: null,
      createdAt: null,
      updatedAt: null,
      somethingNew: { nested: [1, 2] },
    };
    const absent = Object.fromEntries(
      Object.entries(study).filter(
        ([key]) =>
          !['assignedTo', 'createdByApiKey', 'createdByUser', 'expressCustomer', 'org', 'metadata'].includes(key),
      ),
    );
    for (const candidate of [nulls, absent]) {
      expect(isStudy(candidate)).toBe(true);
      expect(isStudyListPage({ studies: [candidate], hasMore: false, cursor: null })).toBe(true);
      expect(isStudyListPage({ studies: [candidate], hasMore: false, extra: 'x' })).toBe(true);
    }
    // The contract itself writes them absent: the bundled server is held to that (test/contract/sdk-wire-forms.test.ts).
    expect(validator.validateResponse('retrieveStudy', 200, { ...study, metadata: null })).not.toEqual([]);
    const user = {
      ...person,
      clinicRole: 'Radiologist',
      canManageStudies: false,
      phoneNumber: null,
      invitedSource: null,
      somethingNew: 1,
    };
    expect(isUser(user)).toBe(true);
    expect(isUserListPage({ users: [user], hasMore: false, cursor: null })).toBe(true);
    expect(isUserListPage({ users: [], hasMore: false })).toBe(true);
    expect(isSuccessResponse({ success: true, message: null })).toBe(true);
    expect(isSuccessResponse({ success: true })).toBe(true);
    expect(isRerouteUrlResponse({ url: 'https://viewer.example/x', expiresIn: 300 })).toBe(true);
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
    for (const page of [
      null,
      [],
      'page',
      { studies: null, hasMore: false },
      { studies: [], hasMore: 'no' },
      { studies: [], hasMore: true, cursor: 5 },
    ]) {
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
    const lease = {
      studyId: study.studyId,
      holder: { userId: null, email: 'riley@example.org', name: 'Riley' },
      since: '2026-12-01T10:00:00.000Z',
      expiresAt: '2026-12-01T10:02:00.000Z',
    };
    expect(isNextStudyAnswer({ study: null })).toBe(true);
    expect(isNextStudyAnswer({ study, lease, claimed: true, step: 'unassigned-stat' })).toBe(true);
    expect(isNextStudyAnswer({ study, lease, claimed: true, step: 'someone-elses-stat' })).toBe(false);
    expect(isNextStudyAnswer({ study, lease: { ...lease, holder: null }, claimed: false, step: 'own-stat' })).toBe(
      false,
    );
    expect(isNextStudyAnswer({ study, claimed: false, step: 'own-stat' })).toBe(false);
    expect(isNextStudyAnswer({})).toBe(false);
  });
});
