import { useQueryClient } from '@tanstack/react-query';
import type { Study } from '../../../../contract/avara-types.ts';
import { useWorklistEvent } from '../../../lib/live/use-live-events.ts';
import { isOlderThan } from '../../../lib/studies/study-list-pages.ts';
import { studyKeys } from './study-keys.ts';

/**
 * The open study follows the live stream: a change (by anyone, cancel and restore included) is
 * written into its cache at once, unless the cache already holds something newer. The drawer decides
 * what a change means for an edit in progress.
 */
export function useFollowStudy(studyId: string): void {
  const queryClient = useQueryClient();
  useWorklistEvent('study.changed', ({ study }) => {
    if (study.studyId !== studyId) return;
    const key = studyKeys.detail(studyId);
    const held = queryClient.getQueryData<Study>(key);
    if (held && isOlderThan(study, held)) return;
    queryClient.setQueryData(key, study);
  });
}
