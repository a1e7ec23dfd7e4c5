/**
 * A searched list (GET /api/studies with `search`, `modality`, `studyDateFrom`, `studyDateTo` or
 * `overdue`; docs/decisions/032): the list API has none of these, so each answer is one page of the
 * list walked with the other filters, kept to the studies the search matches. What only the PACS
 * knows (patient name and ID, accession, modalities, study date) comes from one batched lookup for
 * the page's UIDs, the one the PACS context uses (docs/decisions/009): one Orthanc request per page
 * at most, none when the lookup has the page cached. A page may hold fewer studies than asked, even
 * none, and still say `hasMore`: the walk goes on to the end. No I/O here and nothing of Node's: the
 * mock API (src/mocks/) searches with the same code.
 */
import type { Study } from '../../../../contract/avara-types.ts';
import { DEFAULT_SLA_TARGETS, minutesWaiting, type SlaTargets } from '../../../../contract/sla.ts';
import {
  searchNeedsPacs,
  studyMatchesSearch,
  type KnownContext,
  type StudySearch,
} from '../../../../contract/study-search.ts';
import type { PacsStudyContext } from '../../../../contract/worklist-api.ts';

export interface SourcePage<Position> {
  studies: Study[];
  /** Where the next page starts; null when the list is done. */
  next: Position | null;
}

/** Reads one page of the underlying list from a position. */
export type ReadSourcePage<Position> = (from: Position | null, limit: number) => Promise<SourcePage<Position>>;

/** The PACS's context of each UID, in one request (undefined: there is no PACS). */
export type LookupContexts = ((uids: string[]) => Promise<Record<string, PacsStudyContext>>) | undefined;

export interface SearchPageOptions<Position> {
  read: ReadSourcePage<Position>;
  contexts: LookupContexts;
  from: Position | null;
  limit: number;
  search: StudySearch;
  /** The list's severity filter: with it, overdue studies are a prefix of the list (oldest first). */
  severity?: Study['severity'] | undefined;
  now: number;
  targets?: Readonly<SlaTargets>;
  /** With `search.critical`: the studies with an open critical result (none when absent). */
  openCritical?: ReadonlySet<string>;
}

export interface SearchPage<Position> {
  studies: Study[];
  next: Position | null;
}

/** One page of the walk, kept to the studies the search matches. */
export async function searchPage<Position>(options: SearchPageOptions<Position>): Promise<SearchPage<Position>> {
  const { read, contexts, from, limit, search, severity, now, targets = DEFAULT_SLA_TARGETS, openCritical } = options;
  const page = await read(from, limit);
  let known: Record<string, PacsStudyContext> = {};
  if (contexts && searchNeedsPacs(search) && page.studies.length > 0) {
    known = await contexts([...new Set(page.studies.map((study) => study.studyInstanceUid))]);
  }
  const contextOf = (study: Study): KnownContext => {
    const context = known[study.studyInstanceUid];
    return context?.found ? context : undefined;
  };
  const studies = page.studies.filter(
    (study) =>
      (!search.critical || openCritical?.has(study.studyId) === true) &&
      studyMatchesSearch(study, contextOf(study), search, now, targets),
  );
  let next = page.next;
  // Oldest first (docs/decisions/005): once one study of the group has not waited its target, none
  // after it has; the walk is done.
  if (
    search.overdue &&
    severity &&
    page.studies.some((study) => (minutesWaiting(study.createdAt, now) ?? 0) < targets[severity])
  )
    next = null;
  return { studies, next };
}
