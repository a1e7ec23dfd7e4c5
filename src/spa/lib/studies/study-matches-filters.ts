import type { ListStudiesQuery, Study } from '../../../contract/avara-types.ts';
import { studyIsOverdue } from '../../../contract/study-search.ts';

/** The list API's filters (paging aside), as a list query key carries them. */
export type StudyListFilterFields = Omit<ListStudiesQuery, 'limit' | 'cursor'>;

/** Lowercases ASCII letters only, as the list API's description filter does (a test ties the two). */
export function foldAsciiCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * Whether the browser can tell that a study belongs to a list with these filters: not for a search
 * or a modality or study-date filter, which the BFF judges by what the PACS knows (docs/decisions/032),
 * nor for "Critical results", which it judges by its report records. Such a list is refetched
 * instead of placing a changed study in it.
 */
export function canJudgeFilters(filters: Readonly<Record<string, unknown>>): boolean {
  return ['search', 'modality', 'studyDateFrom', 'studyDateTo', 'critical'].every(
    (name) => filters[name] === undefined,
  );
}

/**
 * Whether the list with these filters would include the study: the one definition the SPA uses to
 * decide that a changed study leaves a loaded list, and that a new or changed one joins it. Each
 * filter means what the list API means by it: `assignedTo: ''` (and `expressCustomerId: ''`) is
 * "explicitly none", the description matches by substring without regard to ASCII case.
 */
export function studyMatchesFilters(
  study: Study,
  filters: Readonly<Record<string, unknown>>,
  now: number = Date.now(),
): boolean {
  const { severity, studyViewerStatus, assignedTo, expressCustomerId, isCancelled, studyDescription, overdue } =
    filters;
  if (overdue === true && !studyIsOverdue(study, now)) return false;
  if (typeof severity === 'string' && study.severity !== severity) return false;
  if (typeof studyViewerStatus === 'string' && study.studyViewerStatus !== studyViewerStatus) return false;
  if (typeof assignedTo === 'string' && (study.assignedTo?.userId ?? '') !== assignedTo) return false;
  if (typeof expressCustomerId === 'string' && (study.expressCustomer?.expressCustomerId ?? '') !== expressCustomerId)
    return false;
  if (typeof isCancelled === 'boolean' && study.isCancelled !== isCancelled) return false;
  if (
    typeof studyDescription === 'string' &&
    !foldAsciiCase(study.studyDescription).includes(foldAsciiCase(studyDescription))
  )
    return false;
  return true;
}
