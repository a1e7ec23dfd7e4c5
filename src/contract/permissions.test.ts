import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actorOf,
  editableFields,
  LEAST_PRIVILEGED_ROLE,
  mayAcknowledgeCritical,
  mayBreakLease,
  mayChange,
  mayTakeLease,
  mayManageStudies,
  PACS_METADATA_KEYS,
  STUDY_FIELDS,
  studyActions,
  type Actor,
  type LeaseStudyState,
  type StudyChanges,
  type StudyState,
} from './permissions.ts';

const ME = `usr_${'a1'.repeat(16)}`;
const OTHER = `usr_${'b2'.repeat(16)}`;
const radiologist: Actor = { role: 'radiologist', userId: ME };
const coordinator: Actor = { role: 'coordinator', userId: `usr_${'c0'.repeat(16)}` };
const pacsMetadata = {
  accessionNumber: 'ACC123',
  modality: 'CT',
  sourcePacs: 'orthanc:RW',
  orthancStudyId: '0a1b2c3d-0a1b2c3d-0a1b2c3d-0a1b2c3d-0a1b2c3d',
};

const own: StudyState = { assignedTo: { userId: ME }, metadata: { ...pacsMetadata, note: 'prior at 3 months' } };
const someoneElses: StudyState = { assignedTo: { userId: OTHER }, metadata: { ...pacsMetadata } };
const unassigned: StudyState = { assignedTo: null, metadata: { ...pacsMetadata } };

function refusedFields(actor: Actor, study: StudyState, changes: StudyChanges): string[] {
  const decision = mayChange(actor, study, changes);
  return decision.allowed ? [] : Object.keys(decision.refusals);
}

describe('a radiologist', () => {
  // [case, study, changes, refused fields]
  const table: Array<[string, StudyState, StudyChanges, string[]]> = [
    ['claims an unassigned study', unassigned, { assignedTo: ME }, []],
    ['claims and marks read in one change', unassigned, { assignedTo: ME, studyViewerStatus: 'complete' }, []],
    [
      'claims and adds a note in one change',
      unassigned,
      { assignedTo: ME, metadata: { ...pacsMetadata, note: 'x' } },
      [],
    ],
    ['marks their own study read', own, { studyViewerStatus: 'complete' }, []],
    ['reopens their own study', own, { studyViewerStatus: 'incomplete' }, []],
    ['edits the notes of their own study', own, { metadata: { ...pacsMetadata, note: 'compare with prior' } }, []],
    ['removes their own note', own, { metadata: { ...pacsMetadata } }, []],
    ['re-claims their own study (no change)', own, { assignedTo: ME }, []],
    [
      'may not mark an unassigned study read without claiming it',
      unassigned,
      { studyViewerStatus: 'complete' },
      ['studyViewerStatus'],
    ],
    [
      'may not edit notes of an unassigned study without claiming it',
      unassigned,
      { metadata: { ...pacsMetadata, note: 'x' } },
      ['metadata'],
    ],
    ['may not mark someone else’s study read', someoneElses, { studyViewerStatus: 'complete' }, ['studyViewerStatus']],
    [
      'may not edit notes of someone else’s study',
      someoneElses,
      { metadata: { ...pacsMetadata, note: 'x' } },
      ['metadata'],
    ],
    ['may not take someone else’s study', someoneElses, { assignedTo: ME }, ['assignedTo']],
    [
      'may not take and mark read someone else’s study',
      someoneElses,
      { assignedTo: ME, studyViewerStatus: 'complete' },
      ['assignedTo', 'studyViewerStatus'],
    ],
    ['may not assign someone else', unassigned, { assignedTo: OTHER }, ['assignedTo']],
    [
      'may not assign someone else while marking read',
      unassigned,
      { assignedTo: OTHER, studyViewerStatus: 'complete' },
      ['assignedTo', 'studyViewerStatus'],
    ],
    ['may not unassign their own study', own, { assignedTo: null }, ['assignedTo']],
    ['may not change severity', own, { severity: 'stat' }, ['severity']],
    ['may not change the description', own, { studyDescription: 'Other' }, ['studyDescription']],
    ['may not change an unknown field', own, { colour: 'red' }, ['colour']],
    ['is refused field by field', own, { severity: 'stat', studyViewerStatus: 'complete' }, ['severity']],
  ];

  it.each(table)('%s', (_case, study, changes, refused) => {
    expect(refusedFields(radiologist, study, changes)).toEqual(refused);
  });

  it('says why, in words a person can act on', () => {
    const decision = mayChange(radiologist, someoneElses, { studyViewerStatus: 'complete' });
    expect(decision).toEqual({
      allowed: false,
      refusals: {
        studyViewerStatus: 'This study is assigned to someone else: only they may mark it read or reopen it.',
      },
      detail: 'This study is assigned to someone else: only they may mark it read or reopen it.',
    });
    const unclaimed = mayChange(radiologist, unassigned, { metadata: { ...pacsMetadata, note: 'x' } });
    expect(unclaimed.allowed ? '' : unclaimed.detail).toBe('Assign this study to yourself to change its notes.');
  });

  it('without an Avara user may change nothing', () => {
    const nobody: Actor = { role: 'radiologist', userId: null };
    expect(refusedFields(nobody, unassigned, { assignedTo: ME })).toEqual(['assignedTo']);
    expect(refusedFields(nobody, unassigned, { studyViewerStatus: 'complete' })).toEqual(['studyViewerStatus']);
    expect(refusedFields(nobody, { assignedTo: null, metadata: null }, { metadata: { note: 'x' } })).toEqual([
      'metadata',
    ]);
  });

  describe('keeps the PACS keys exactly as they are', () => {
    it.each([
      ['changes one', { ...pacsMetadata, accessionNumber: 'ACC999', note: 'x' }, ['accessionNumber']],
      [
        'removes one',
        { modality: 'CT', sourcePacs: 'orthanc:RW', orthancStudyId: pacsMetadata.orthancStudyId, note: 'x' },
        ['accessionNumber'],
      ],
      ['removes them all', { note: 'x' }, [...PACS_METADATA_KEYS]],
      ['changes a value’s case', { ...pacsMetadata, modality: 'ct' }, ['modality']],
    ])('%s: refused, naming the keys', (_case, metadata, keys) => {
      const decision = mayChange(radiologist, own, { metadata });
      expect(decision.allowed).toBe(false);
      if (decision.allowed) return;
      expect(Object.keys(decision.refusals)).toEqual(['metadata']);
      for (const key of keys) expect(decision.refusals.metadata).toContain(key);
      expect(decision.refusals.metadata).toMatch(/written by the PACS/);
    });

    it('adds one the study did not have: refused', () => {
      const study: StudyState = { assignedTo: { userId: ME }, metadata: { note: 'x' } };
      expect(refusedFields(radiologist, study, { metadata: { note: 'x', accessionNumber: 'ACC1' } })).toEqual([
        'metadata',
      ]);
    });

    it('a study without metadata gets notes: allowed', () => {
      expect(
        refusedFields(radiologist, { assignedTo: { userId: ME }, metadata: null }, { metadata: { note: 'x' } }),
      ).toEqual([]);
    });

    it('says both reasons when the study is not theirs either', () => {
      const decision = mayChange(radiologist, someoneElses, { metadata: { note: 'x' } });
      expect(decision.allowed ? '' : decision.refusals.metadata).toMatch(
        /assigned to someone else.*written by the PACS/,
      );
    });
  });
});

describe('a coordinator', () => {
  it.each([
    ['someone else’s study, read', someoneElses, { studyViewerStatus: 'complete' }],
    ['someone else’s notes and the PACS keys', someoneElses, { metadata: { note: 'x' } }],
    ['a PACS key’s value', unassigned, { metadata: { ...pacsMetadata, accessionNumber: 'ACC999' } }],
    [
      'everything at once',
      own,
      { assignedTo: null, severity: 'stat', studyDescription: 'X', studyViewerStatus: 'complete', metadata: {} },
    ],
  ])('may change %s', (_case, study, changes) => {
    expect(mayChange(coordinator, study, changes)).toEqual({ allowed: true });
  });

  it('may do everything the form and drawer offer', () => {
    expect(editableFields(coordinator, someoneElses)).toEqual({
      fields: new Set(STUDY_FIELDS),
      assignees: 'anyone',
      claimRequired: false,
      lockedMetadataKeys: [],
    });
    expect(studyActions(coordinator, someoneElses)).toEqual({
      claim: true,
      pickAssignee: true,
      setViewerStatus: true,
      edit: true,
      setSeverity: true,
      cancel: true,
      readOnlyReason: undefined,
    });
    expect(studyActions(coordinator, own).claim).toBe(true);
    expect(studyActions({ ...coordinator, userId: null }, unassigned).claim).toBe(false);
    expect(mayManageStudies(coordinator)).toBe(true);
  });
});

describe('what the SPA offers a radiologist', () => {
  it('on their own study: status and notes, PACS keys locked, no claim', () => {
    expect(editableFields(radiologist, own)).toEqual({
      fields: new Set(['studyViewerStatus', 'metadata']),
      assignees: 'nobody',
      claimRequired: false,
      lockedMetadataKeys: PACS_METADATA_KEYS,
    });
    expect(studyActions(radiologist, own)).toEqual({
      claim: false,
      pickAssignee: false,
      setViewerStatus: true,
      edit: true,
      setSeverity: false,
      cancel: false,
      readOnlyReason: undefined,
    });
  });

  it('on an unassigned study: claim, and status and notes with it', () => {
    expect(editableFields(radiologist, unassigned)).toEqual({
      fields: new Set(['assignedTo', 'studyViewerStatus', 'metadata']),
      assignees: 'themselves',
      claimRequired: true,
      lockedMetadataKeys: PACS_METADATA_KEYS,
    });
    expect(studyActions(radiologist, unassigned)).toEqual({
      claim: true,
      pickAssignee: false,
      setViewerStatus: false,
      edit: true,
      setSeverity: false,
      cancel: false,
      readOnlyReason: undefined,
    });
  });

  it('on someone else’s study: nothing but looking', () => {
    expect(editableFields(radiologist, someoneElses).fields.size).toBe(0);
    expect(studyActions(radiologist, someoneElses)).toEqual({
      claim: false,
      pickAssignee: false,
      setViewerStatus: false,
      edit: false,
      setSeverity: false,
      cancel: false,
      readOnlyReason: 'This study is assigned to someone else: only they may mark it read or reopen it.',
    });
    expect(mayManageStudies(radiologist)).toBe(false);
  });
});

describe('before anyone is known', () => {
  it('assumes the least privileged role, with no Avara user', () => {
    expect(LEAST_PRIVILEGED_ROLE).toBe('radiologist');
    expect(actorOf(undefined)).toEqual({ role: 'radiologist', userId: null });
    expect(actorOf(null)).toEqual({ role: 'radiologist', userId: null });
    expect(actorOf({ role: 'coordinator', userId: ME })).toEqual({ role: 'coordinator', userId: ME });
    expect(studyActions(actorOf(null), unassigned)).toMatchObject({
      claim: false,
      setViewerStatus: false,
      edit: false,
      setSeverity: false,
      cancel: false,
    });
  });
});

describe('properties', () => {
  const userId = fc.constantFrom(ME, OTHER, `usr_${'c0'.repeat(16)}`);
  const actor = fc.record({
    role: fc.constantFrom('radiologist' as const, 'coordinator' as const),
    userId: fc.option(userId, { nil: null }),
  });
  const metadataKey = fc.oneof(
    fc.constantFrom(...PACS_METADATA_KEYS, 'note', 'site'),
    fc.string({ minLength: 1, maxLength: 8 }),
  );
  const metadata = fc.dictionary(metadataKey, fc.constantFrom('CT', 'ACC1', 'x', ''), { maxKeys: 6 });
  const study = fc.record({
    assignedTo: fc.option(
      userId.map((id) => ({ userId: id })),
      { nil: null },
    ),
    metadata: fc.option(metadata, { nil: null }),
  });
  const changes = fc.record(
    {
      assignedTo: fc.option(userId, { nil: null }),
      studyViewerStatus: fc.constantFrom('complete', 'incomplete'),
      severity: fc.constantFrom('stat', 'high', 'normal'),
      studyDescription: fc.constant('CT Head'),
      metadata,
    },
    { requiredKeys: [] },
  );

  it('a coordinator is never refused', () => {
    fc.assert(fc.property(study, changes, (current, change) => mayChange({ ...coordinator }, current, change).allowed));
  });

  it('whatever a radiologist may change leaves the study theirs (when it touches status or notes) and the PACS keys as they were', () => {
    fc.assert(
      fc.property(actor, study, changes, (person, current, change) => {
        fc.pre(person.role === 'radiologist');
        if (!mayChange(person, current, change).allowed) return;
        expect(change.severity).toBeUndefined();
        expect(change.studyDescription).toBeUndefined();
        const assigneeAfter = 'assignedTo' in change ? change.assignedTo : (current.assignedTo?.userId ?? null);
        if ('assignedTo' in change) {
          expect(change.assignedTo).toBe(person.userId);
          expect([null, person.userId]).toContain(current.assignedTo?.userId ?? null);
        }
        if ('studyViewerStatus' in change || 'metadata' in change) expect(assigneeAfter).toBe(person.userId);
        if (change.metadata) {
          for (const key of PACS_METADATA_KEYS) expect(change.metadata[key]).toBe(current.metadata?.[key]);
        }
      }),
    );
  });

  it('refusals name only fields that were sent, and adding a refused field never makes a change allowed', () => {
    fc.assert(
      fc.property(actor, study, changes, changes, (person, current, change, extra) => {
        const decision = mayChange(person, current, change);
        if (!decision.allowed) {
          expect(Object.keys(decision.refusals).every((field) => field in change)).toBe(true);
          expect(mayChange(person, current, { ...extra, ...change }).allowed).toBe(false);
        }
      }),
    );
  });

  it('the drawer offers an action exactly when the rule allows it', () => {
    fc.assert(
      fc.property(actor, study, fc.constantFrom('complete', 'incomplete'), (person, current, status) => {
        const actions = studyActions(person, { ...current, studyViewerStatus: status });
        const assignee = current.assignedTo?.userId ?? null;
        const claimAllowed =
          person.userId !== null &&
          assignee !== person.userId &&
          mayChange(person, current, { assignedTo: person.userId }).allowed;
        expect(actions.claim).toBe(claimAllowed);
        expect(actions.setViewerStatus).toBe(
          mayChange(person, current, { studyViewerStatus: status === 'complete' ? 'incomplete' : 'complete' }).allowed,
        );
        expect(actions.setSeverity).toBe(mayChange(person, current, { severity: 'stat' }).allowed);
        expect(actions.edit).toBe(editableFields(person, current).fields.size > 0);
        expect(actions.cancel).toBe(person.role === 'coordinator');
        // Nothing offered comes with the reason why.
        const offered =
          actions.claim || actions.setViewerStatus || actions.edit || actions.setSeverity || actions.cancel;
        expect(actions.readOnlyReason === undefined).toBe(offered);
      }),
    );
  });

  it('the form offers exactly the fields the rule allows', () => {
    fc.assert(
      fc.property(actor, study, changes, (person, current, change) => {
        const editable = editableFields(person, current);
        const assignee = current.assignedTo?.userId ?? null;
        // Everything allowed is on offer (re-assigning the same person changes nothing, so is not offered)...
        if (mayChange(person, current, change).allowed) {
          for (const field of Object.keys(change))
            if (!(field === 'assignedTo' && change.assignedTo === assignee)) expect(editable.fields).toContain(field);
        }
        // ...and everything on offer can be saved (with a claim, when one is needed).
        const claim = editable.claimRequired ? { assignedTo: person.userId } : {};
        const newAssignee = editable.assignees === 'anyone' ? (assignee === OTHER ? ME : OTHER) : person.userId;
        fc.pre(newAssignee !== assignee);
        const samples: Record<string, StudyChanges> = {
          assignedTo: { assignedTo: newAssignee },
          studyViewerStatus: { ...claim, studyViewerStatus: 'complete' },
          metadata: { ...claim, metadata: { ...current.metadata, note: 'x' } },
          severity: { severity: 'stat' },
          studyDescription: { studyDescription: 'CT Head' },
        };
        for (const field of STUDY_FIELDS) {
          expect(mayChange(person, current, samples[field] ?? {}).allowed, field).toBe(editable.fields.has(field));
        }
        // Locked keys are the PACS's for radiologists, none for coordinators.
        expect(editable.lockedMetadataKeys).toEqual(person.role === 'coordinator' ? [] : PACS_METADATA_KEYS);
      }),
    );
  });
});

describe('reading leases', () => {
  const cancelled: LeaseStudyState = { ...unassigned, isCancelled: true };
  it('a radiologist may take one on their own or an unassigned study', () => {
    expect(mayTakeLease(radiologist, own)).toEqual({ allowed: true });
    expect(mayTakeLease(radiologist, unassigned)).toEqual({ allowed: true });
  });

  it("a radiologist may not hold up someone else's study, nor read without an Avara user", () => {
    expect(mayTakeLease(radiologist, someoneElses)).toEqual({
      allowed: false,
      detail: 'This study is assigned to someone else: only they may read it.',
    });
    expect(mayTakeLease({ role: 'radiologist', userId: null }, unassigned)).toMatchObject({ allowed: false });
  });

  it('a coordinator may take one on any study that is not cancelled', () => {
    for (const study of [own, someoneElses, unassigned])
      expect(mayTakeLease(coordinator, study)).toEqual({ allowed: true });
    expect(mayTakeLease(coordinator, cancelled)).toEqual({
      allowed: false,
      detail: 'This study is cancelled: there is nothing to read.',
    });
    expect(mayTakeLease(radiologist, cancelled).allowed).toBe(false);
  });

  it("only a coordinator may break someone else's", () => {
    expect(mayBreakLease(coordinator)).toBe(true);
    expect(mayBreakLease(radiologist)).toBe(false);
  });
});

describe('a cancelled study', () => {
  const cancelled = { assignedTo: null, metadata: {}, isCancelled: true, studyViewerStatus: 'incomplete' };
  it('offers no Mark read, Assign to me or Edit to anyone, and restore only to a coordinator', () => {
    const coordinator = { role: 'coordinator', userId: 'usr_c' } as const;
    const radiologist = { role: 'radiologist', userId: 'usr_r' } as const;
    expect(studyActions(coordinator, cancelled)).toMatchObject({
      claim: false,
      setViewerStatus: false,
      edit: false,
      setSeverity: false,
      pickAssignee: false,
      cancel: true,
    });
    expect(studyActions(coordinator, cancelled).readOnlyReason).toMatch(/cancelled: restore it/);
    expect(studyActions(radiologist, cancelled)).toMatchObject({
      claim: false,
      setViewerStatus: false,
      edit: false,
      cancel: false,
    });
  });
});

describe('acknowledging a critical result', () => {
  const other = `usr_${'b2'.repeat(16)}`;
  it("is for the study's assignee and for coordinators", () => {
    expect(mayAcknowledgeCritical({ role: 'coordinator', userId: null }, { assignedTo: null })).toEqual({
      allowed: true,
    });
    expect(mayAcknowledgeCritical({ role: 'radiologist', userId: ME }, { assignedTo: { userId: ME } })).toEqual({
      allowed: true,
    });
    for (const study of [{ assignedTo: { userId: other } }, { assignedTo: null }]) {
      expect(mayAcknowledgeCritical({ role: 'radiologist', userId: ME }, study)).toMatchObject({
        allowed: false,
        detail: expect.stringMatching(/assignee or a coordinator/),
      });
    }
    expect(mayAcknowledgeCritical({ role: 'radiologist', userId: null }, { assignedTo: null }).allowed).toBe(false);
  });
});
