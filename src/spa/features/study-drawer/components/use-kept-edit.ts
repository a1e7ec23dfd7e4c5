import { useCallback, useState } from 'react';
import type { Me } from '../../../../contract/worklist-api.ts';
import { draftOwnerOf } from '../../../lib/drafts/draft-owners.ts';
import { drafts } from '../../../lib/drafts/draft-store.ts';
import { forgetStudyEdit, keepStudyEdit, restoreStudyEdit } from '../lib/study-draft-storage.ts';
import type { KeptEdit } from '../lib/study-draft-storage.ts';

/**
 * The drawer's edit of a study, kept in the tab for the signed-in person (lib/study-draft-storage.ts):
 * what was kept is read once, when the drawer opens, so the person who comes back to the study after
 * signing in again finds their edit where they left it.
 */
export function useKeptEdit(me: Me | null, studyId: string) {
  const owner = me ? draftOwnerOf(me) : null;
  const [restored] = useState(() => {
    const found = owner ? restoreStudyEdit(drafts, owner, studyId) : null;
    return found ? { edit: { editedFrom: found.editedFrom, draft: found.draft }, savedAt: found.savedAt } : null;
  });
  /** Keeps the edit while it has changes; forgets it when it has none or is gone (saved, discarded). */
  const keep = useCallback(
    (edit: KeptEdit | null) => {
      if (owner) keepStudyEdit(drafts, owner, studyId, edit);
    },
    [owner, studyId],
  );
  const forget = useCallback(() => {
    if (owner) forgetStudyEdit(drafts, owner, studyId);
  }, [owner, studyId]);
  return { restored, keep, forget };
}
