import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDicomUid } from '../../../../contract/study-limits.ts';
import { dicomUidProblem } from './dicom-uid.ts';

describe('the create form’s UID check', () => {
  it('finds a problem exactly when the contract’s rule refuses the UID', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[0-9.]{0,70}$/), fc.string()), (uid) => {
        expect(dicomUidProblem(uid) === undefined).toBe(isDicomUid(uid));
      }),
    );
  });
});
