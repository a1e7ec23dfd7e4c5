import type { QueryClient } from '@tanstack/react-query';
import { isStudyListPage } from '../../contract/answer-shapes.ts';
import type { Me } from '../../contract/worklist-api.ts';
import { pacsStatusQueryOptions } from '../features/pacs/api/get-pacs-status.ts';
import { seedPagePacsStatus } from '../features/pacs/api/seed-pacs.ts';
import { prefetchFirstGroup, seedLaterGroups } from '../features/worklist/api/prefetch-worklist.ts';
import type { InlineFirstPage } from '../features/worklist/api/prefetch-worklist.ts';
import type { StudyListFilters } from '../../contract/worklist-filters.ts';
import { authConfigQueryOptions } from '../lib/auth/get-auth-config.ts';
import { authKeys } from '../lib/auth/auth-keys.ts';
import { meQueryOptions } from '../lib/auth/get-me.ts';

/** Addresses that show the worklist (the list itself, or the list with a study's drawer open). */
export function showsWorklist(pathname: string): boolean {
  return pathname === '/' || pathname.startsWith('/studies/');
}

/**
 * The signed-in person the BFF put in the page (`<meta name="rw-me">`, as `/api/me` answers), or
 * undefined: no session, a sign-in proxy, or anything malformed, in which case `/api/me` is asked.
 */
export function readPageMe(document: Pick<Document, 'querySelector'>): Me | undefined {
  const content = document.querySelector<HTMLMetaElement>('meta[name="rw-me"]')?.content;
  if (!content) return undefined;
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value !== 'object' || value === null) return undefined;
    const { subject, email, name, role, userId, authMode } = value as Record<string, unknown>;
    if (typeof subject !== 'string' || typeof email !== 'string' || typeof name !== 'string') return undefined;
    if (role !== 'radiologist' && role !== 'coordinator') return undefined;
    if (userId !== null && typeof userId !== 'string') return undefined;
    if (authMode !== 'dev' && authMode !== 'oidc' && authMode !== 'proxy') return undefined;
    return { subject, email, name, role, userId, authMode };
  } catch {
    return undefined;
  }
}

/** The id of the `<script type="application/json">` the BFF puts the first group's page in. */
export const FIRST_PAGE_SCRIPT_ID = 'rw-first-page';

function isListFilters(value: unknown): value is StudyListFilters {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((entry) => typeof entry === 'string' || typeof entry === 'boolean');
}

/**
 * What the BFF put in the page besides the first group's page: the later groups' first pages
 * (`more`, the malformed ones left out) and, with a PACS, `pacs` (read by src/spa/features/pacs/api/
 * seed-pacs.ts). Each key only when the page has it.
 */
export type PageFirstPages = InlineFirstPage & { more?: InlineFirstPage[]; pacs?: unknown };

function isInlineFirstPage(value: unknown): value is InlineFirstPage {
  if (typeof value !== 'object' || value === null) return false;
  const { filters, page } = value as Record<string, unknown>;
  return isListFilters(filters) && isStudyListPage(page);
}

/**
 * The first page of the first group the BFF put in the page (`<script type="application/json"
 * id="rw-first-page">`: `{filters, page, more?, pacs?}`, the filters it asked `/api/studies` with,
 * the page as it answered, the later groups' alike, and the PACS's part), or undefined: none, or
 * anything malformed. Read once: the element is removed, so the page's copy is not kept beside the
 * query cache's.
 */
export function readPageFirstPage(document: Pick<Document, 'getElementById'>): PageFirstPages | undefined {
  const element = document.getElementById(FIRST_PAGE_SCRIPT_ID);
  if (!element) return undefined;
  const text = element.textContent;
  element.remove();
  try {
    const value: unknown = JSON.parse(text);
    if (!isInlineFirstPage(value)) return undefined;
    const more: unknown = Reflect.get(value, 'more');
    const pacs: unknown = Reflect.get(value, 'pacs');
    const read: PageFirstPages = { filters: value.filters, page: value.page };
    if (Array.isArray(more)) read.more = (more as unknown[]).filter(isInlineFirstPage);
    if (pacs !== undefined) read.pacs = pacs;
    return read;
  } catch {
    return undefined;
  }
}

/**
 * Asks for what the first screen needs before React renders anything: the sign-in settings, whether
 * a PACS is connected and, as soon as the person is known (from the page, or else from `/api/me`),
 * the worklist's first group, unless the BFF put that in the page for the same filters (what else
 * the page holds goes into the cache too: the later groups' first pages, and with a PACS its status,
 * decision record 044; the rows' context goes in with the PACS columns' code, src/spa/boot.tsx). The
 * requests overlap the app's own start-up instead of following it; the components then find the
 * answers, or the requests in flight, in the query cache. Failures are left to the components,
 * which ask again and show them. Resolves when the first group has answered
 * (or failed), at once on a page that shows no worklist.
 */
export function prefetchFirstScreen(
  queryClient: QueryClient,
  page: {
    location: Pick<Location, 'pathname' | 'search'>;
    me: Me | undefined;
    firstPage?: PageFirstPages | undefined;
  },
): Promise<void> {
  const { location, me, firstPage } = page;
  if (me) queryClient.setQueryData(authKeys.me(), me);
  void queryClient.prefetchQuery(authConfigQueryOptions());
  if (!showsWorklist(location.pathname)) return Promise.resolve();
  seedPagePacsStatus(queryClient, firstPage?.pacs);
  void queryClient.prefetchQuery(pacsStatusQueryOptions());
  const firstGroup = (person: Me | null): Promise<void> => {
    if (!person) return Promise.resolve();
    const viewer = { role: person.role, userId: person.userId };
    seedLaterGroups(queryClient, viewer, location.search, firstPage?.more ?? []);
    return prefetchFirstGroup(queryClient, viewer, location.search, firstPage);
  };
  return me ? firstGroup(me) : queryClient.fetchQuery(meQueryOptions()).then(firstGroup, () => undefined);
}

/**
 * Waits for `work`, but never longer than `ms`: the first render then shows the first studies
 * instead of placeholders that are replaced a few milliseconds later (two renders, two layouts),
 * while a slow server still gets the placeholders soon.
 */
export function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
