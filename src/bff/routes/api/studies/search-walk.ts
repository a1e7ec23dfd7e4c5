/**
 * A searched list (GET /api/studies with `search`, `modality`, `studyDateFrom`, `studyDateTo` or
 * `overdue`; docs/decisions/032 and 040): the list API has none of these, so each answer walks the
 * list with the other filters, upstream page by upstream page, kept to the studies the search
 * matches, until it has the asked number or its time is spent (WALK_BUDGET_MS). What only the PACS
 * knows comes from one batched lookup per upstream page (the context the rows show, which they then
 * find cached); none when the lookup has the page cached. The next upstream page is read while that
 * lookup runs. An answer may hold fewer studies than asked, even none, and still say `hasMore`: the
 * walk goes on to the end. It stops between upstream pages only, so its cursor resumes exactly there.
 * No I/O here and nothing of Node's: the mock API (src/mocks/) searches with the same code.
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

/**
 * How long one answer walks on (milliseconds; it finishes the page it is in). Long enough for
 * several upstream pages, so a search over a long list does not cost the browser a round trip per
 * page; short enough that a person waits no longer for the rows found so far.
 */
export const WALK_BUDGET_MS = 250;

/** Upstream pages one answer reads at most, however fast they come (100 pages: 10,000 studies). */
export const WALK_MAX_PAGES = 100;

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
  /** The walk's clock (milliseconds), for the budget; tests move it. */
  clock?: () => number;
  budgetMs?: number;
}

export interface SearchPage<Position> {
  studies: Study[];
  next: Position | null;
}

/**
 * One answer of the walk: from `from`, the studies the search matches, up to `limit`. The first
 * answer of a walk (no `from`) ends at the first upstream page that brings a match, so the first
 * rows come as soon as there are any; a later one walks on until it has `limit`, the list ends, or
 * the budget is spent. A page whose matches would take the answer past `limit` is left for the next
 * answer (the cursor points at its start), so no study is skipped or answered twice.
 */
export async function searchPage<Position>(options: SearchPageOptions<Position>): Promise<SearchPage<Position>> {
  const { read, contexts, from, limit, search, severity, now, openCritical } = options;
  const { targets = DEFAULT_SLA_TARGETS, clock = () => performance.now(), budgetMs = WALK_BUDGET_MS } = options;
  const started = clock();
  const usesPacs = contexts !== undefined && searchNeedsPacs(search);
  const kept: Study[] = [];
  let position: Position | null = from;
  let pages = 0;
  let reading: Promise<SourcePage<Position>> | undefined = read(from, limit);
  while (reading) {
    const page: SourcePage<Position> = await reading;
    pages += 1;
    let next = page.next;
    // Oldest first (docs/decisions/005): once one study of the group has not waited its target, none
    // after it has; the walk is done.
    if (
      search.overdue &&
      severity &&
      page.studies.some((study) => (minutesWaiting(study.createdAt, now) ?? 0) < targets[severity])
    )
      next = null;
    // The next page is on its way while this one is looked up; left unread when the walk stops here.
    reading =
      next !== null && pages < WALK_MAX_PAGES && clock() - started < budgetMs
        ? unawaited(read(next, limit))
        : undefined;
    const matched = await matching(page.studies);
    // Too many to add: this page starts the next answer.
    if (kept.length > 0 && kept.length + matched.length > limit) break;
    kept.push(...matched);
    position = next;
    const enough = kept.length >= limit || (from === null && kept.length > 0) || clock() - started >= budgetMs;
    if (enough) break;
  }
  return { studies: kept, next: position };

  async function matching(studies: Study[]): Promise<Study[]> {
    let known: Record<string, PacsStudyContext> = {};
    if (usesPacs && contexts && studies.length > 0)
      known = await contexts([...new Set(studies.map((study) => study.studyInstanceUid))]);
    const contextOf = (study: Study): KnownContext => {
      const context = known[study.studyInstanceUid];
      return context?.found ? context : undefined;
    };
    return studies.filter(
      (study) =>
        (!search.critical || openCritical?.has(study.studyId) === true) &&
        studyMatchesSearch(study, contextOf(study), search, now, targets),
    );
  }
}

/** A read that may be left unused: its failure counts only where it is awaited. */
function unawaited<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
