import type { InfiniteData } from '@tanstack/react-query';
import type { Study, StudyListPage } from '../../../contract/avara-types.ts';
import { canJudgeFilters, studyMatchesFilters } from './study-matches-filters.ts';

export type StudyPages = InfiniteData<StudyListPage, unknown>;

/** What placing a study did to one loaded list. */
export type Placement =
  /** It was there and still belongs: replaced where it was. */
  | 'updated'
  /** It was there and no longer belongs: taken out. */
  | 'removed'
  /** It was not there and belongs within the loaded pages: put in at its place. */
  | 'inserted'
  /** It belongs, but its place is past the loaded pages: the next page will bring it. */
  | 'beyond'
  /** It neither was there nor belongs. */
  | 'unchanged'
  /** The browser cannot tell whether it belongs (a search): the list must be fetched again. */
  | 'refetch';

export function isStudyPages(data: unknown): data is StudyPages {
  if (typeof data !== 'object' || data === null || !('pages' in data) || !('pageParams' in data)) return false;
  const { pages } = data;
  return (
    Array.isArray(pages) &&
    pages.every(
      (page: unknown) => typeof page === 'object' && page !== null && 'studies' in page && Array.isArray(page.studies),
    )
  );
}

function contains(pages: StudyPages, studyId: string): Study | undefined {
  for (const page of pages.pages) {
    const found = page.studies.find((candidate) => candidate.studyId === studyId);
    if (found) return found;
  }
  return undefined;
}

/** Whether `incoming` is older than what the list holds (an event overtaken by a fresher answer). */
export function isOlderThan(incoming: Study, held: Study): boolean {
  const heldAt = Date.parse(held.updatedAt ?? '');
  const incomingAt = Date.parse(incoming.updatedAt ?? '');
  return Number.isFinite(heldAt) && Number.isFinite(incomingAt) && incomingAt < heldAt;
}

function replaceHeld(pages: StudyPages, study: Study): StudyPages {
  return {
    ...pages,
    pages: pages.pages.map((page) => ({
      ...page,
      studies: page.studies.map((candidate) => (candidate.studyId === study.studyId ? study : candidate)),
    })),
  };
}

/**
 * The list with `study` in its new state, and what that did. Lists are oldest first (creation order,
 * docs/decisions/005): a study that joins goes before the first loaded study created after it, or at
 * the end of a list whose last page is loaded; otherwise its place is past what is loaded.
 * `filters` undefined: a list without filters, which every study belongs to.
 */
export function placeStudy(
  pages: StudyPages,
  study: Study,
  filters: Readonly<Record<string, unknown>> | undefined,
): { pages: StudyPages; placement: Placement } {
  const held = contains(pages, study.studyId);
  if (filters !== undefined && !canJudgeFilters(filters)) {
    // Kept fresh where it is meanwhile; whether it stays, or joins, is the server's to say.
    if (held && !isOlderThan(study, held)) return { placement: 'refetch', pages: replaceHeld(pages, study) };
    return { pages, placement: studyMatchesFilters(study, filters) ? 'refetch' : 'unchanged' };
  }
  const belongs = filters === undefined || studyMatchesFilters(study, filters);
  if (held) {
    if (isOlderThan(study, held)) return { pages, placement: 'unchanged' };
    return {
      placement: belongs ? 'updated' : 'removed',
      pages: {
        ...pages,
        pages: pages.pages.map((page) =>
          page.studies.some((candidate) => candidate.studyId === study.studyId)
            ? {
                ...page,
                studies: belongs
                  ? page.studies.map((candidate) => (candidate.studyId === study.studyId ? study : candidate))
                  : page.studies.filter((candidate) => candidate.studyId !== study.studyId),
              }
            : page,
        ),
      },
    };
  }
  if (!belongs) return { pages, placement: 'unchanged' };
  const created = study.createdAt ?? '';
  let inserted = false;
  const next = pages.pages.map((page) => {
    if (inserted) return page;
    const index = page.studies.findIndex((candidate) => (candidate.createdAt ?? '') > created);
    if (index === -1) return page;
    inserted = true;
    return { ...page, studies: [...page.studies.slice(0, index), study, ...page.studies.slice(index)] };
  });
  const last = next.at(-1);
  if (!inserted && last && !last.hasMore) {
    next[next.length - 1] = { ...last, studies: [...last.studies, study] };
    inserted = true;
  }
  return inserted ? { pages: { ...pages, pages: next }, placement: 'inserted' } : { pages, placement: 'beyond' };
}
