import type { Severity } from '../../../../contract/avara-types.ts';
import type { useStudyGroup } from '../api/get-studies.ts';
import type { ExactCount } from '../lib/counts-for-view.ts';

export type StudyGroupState = ReturnType<typeof useStudyGroup>;

/** One severity group as the grid shows it. */
export interface WorklistGroup {
  severity: Severity;
  group: StudyGroupState;
  collapsed: boolean;
  /** The group's exact size, where the queue's counts count this view (lib/counts-for-view.ts). */
  exact?: ExactCount | undefined;
}
