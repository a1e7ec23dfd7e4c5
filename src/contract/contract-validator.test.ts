import { describe, expect, it } from 'vitest';
import { createContractValidator } from './contract-validator.ts';
import { loadAvaraContract } from './load-contract.ts';

const validator = createContractValidator(loadAvaraContract());
const STUDY_ID = `stu_${'a'.repeat(32)}`;

function issuesOf(result: ReturnType<typeof validator.validateInput>) {
  return result.ok ? [] : result.issues;
}

describe('contract validator', () => {
  it('coerces list query values to their declared types', () => {
    const result = validator.validateInput('listStudies', {
      query: { limit: '5', isCancelled: 'false', assignedTo: '', severity: 'stat' },
    });
    expect(result).toEqual({
      ok: true,
      value: { path: {}, query: { limit: 5, isCancelled: false, assignedTo: '', severity: 'stat' }, body: undefined },
    });
  });

  it.each([
    [{ limit: '0' }, 'limit', 'must be >= 1'],
    [{ limit: '101' }, 'limit', 'must be <= 100'],
    [{ limit: 'ten' }, 'limit', 'must be integer'],
    [{ severity: 'urgent' }, 'severity', 'must be one of: normal, high, stat'],
    [{ assignedTo: 'bob' }, 'assignedTo', expect.stringContaining('user ID')],
    [{ sort: 'createdAt' }, 'sort', 'is not a parameter of this request'],
  ])('rejects list query %j', (query, name, message) => {
    expect(issuesOf(validator.validateInput('listStudies', { query }))).toEqual([{ in: 'query', name, message }]);
  });

  it('rejects a repeated query parameter', () => {
    const issues = issuesOf(validator.validateInput('listStudies', { query: { severity: ['stat', 'high'] } }));
    expect(issues).toEqual([{ in: 'query', name: 'severity', message: 'must appear only once' }]);
  });

  it('rejects path tricks in a study ID', () => {
    const issues = issuesOf(validator.validateInput('retrieveStudy', { path: { studyId: '../../x' } }));
    expect(issues).toEqual([{ in: 'path', name: 'studyId', message: expect.stringContaining('study ID') }]);
  });

  it('enforces the metadata limits and names the offending key', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const base = { severity: 'stat', studyDescription: 'CT Head', studyInstanceUid: '1.2.3' };
    expect(issuesOf(validator.validateInput('createStudy', { body: { ...base, metadata: tooMany } }))).toEqual([
      { in: 'body', name: 'metadata', message: 'must have at most 50 entries' },
    ]);
    const longKey = 'k'.repeat(101);
    expect(
      issuesOf(validator.validateInput('createStudy', { body: { ...base, metadata: { [longKey]: 'v' } } })),
    ).toEqual([
      { in: 'body', name: 'metadata', message: expect.stringMatching(/^key "k+…" must be at most 100 characters$/) },
    ]);
    expect(
      issuesOf(validator.validateInput('createStudy', { body: { ...base, metadata: { k: 'v'.repeat(1001) } } })),
    ).toEqual([{ in: 'body', name: 'metadata/k', message: 'must be at most 1000 characters' }]);
  });

  it.each(['1.2.a', '1.02.3', '1..2', '.1.2', `1.${'2'.repeat(63)}`, ''])('rejects the DICOM UID %j', (uid) => {
    const result = validator.validateInput('createStudy', {
      body: { severity: 'stat', studyDescription: 'CT Head', studyInstanceUid: uid },
    });
    expect(new Set(issuesOf(result).map((issue) => issue.name))).toEqual(new Set(['studyInstanceUid']));
  });

  it('accepts null to unassign or to clear the metadata, an empty update and no body at all', () => {
    expect(validator.validateInput('updateStudy', { path: { studyId: STUDY_ID }, body: { assignedTo: null } }).ok).toBe(
      true,
    );
    expect(validator.validateInput('updateStudy', { path: { studyId: STUDY_ID }, body: { metadata: null } }).ok).toBe(
      true,
    );
    expect(validator.validateInput('updateStudy', { path: { studyId: STUDY_ID }, body: {} }).ok).toBe(true);
    expect(validator.validateInput('updateStudy', { path: { studyId: STUDY_ID } }).ok).toBe(true);
  });

  it('names the study to cancel by either field or both, but by at least one', () => {
    expect(validator.validateInput('cancelStudy', { body: { studyId: STUDY_ID, studyInstanceUid: '1.2.3' } }).ok).toBe(
      true,
    );
    expect(validator.validateInput('cancelStudy', { body: { studyInstanceUid: '1.2.3' } }).ok).toBe(true);
    expect(issuesOf(validator.validateInput('cancelStudy', { body: {} }))).toEqual([
      { in: 'body', name: '', message: 'must have at least one field' },
    ]);
  });

  it('reads an empty query value as not given where the parameter has no empty value of its own', () => {
    const result = validator.validateInput('listStudies', {
      query: { isCancelled: '', limit: '', severity: '', studyViewerStatus: '', studyDescription: '', assignedTo: '' },
    });
    expect(result).toEqual({ ok: true, value: { path: {}, query: { assignedTo: '' }, body: undefined } });
    expect(issuesOf(validator.validateInput('listStudies', { query: { isCancelled: 'maybe' } }))).toHaveLength(1);
    // Not marked as allowing an empty value: still refused.
    expect(issuesOf(validator.validateInput('listUsers', { query: { level: '' } }))).toHaveLength(1);
  });

  it('checks responses: an empty optional field is absent, not null', () => {
    expect(validator.validateResponse('listStudies', 200, { hasMore: false, studies: [] })).toEqual([]);
    expect(validator.validateResponse('listStudies', 200, { hasMore: false, studies: [], cursor: null })).not.toEqual(
      [],
    );
    expect(validator.validateResponse('listUsers', 200, { hasMore: false, users: [], cursor: null })).not.toEqual([]);
    expect(
      validator.validateResponse('listStudies', 400, { error: { type: 'invalid_request', message: 'bad' } }),
    ).toEqual([]);
    expect(validator.validateResponse('retrieveStudy', 404, { message: 'gone' })).toEqual([
      { in: 'body', name: 'error', message: 'is required' },
    ]);
  });
});
