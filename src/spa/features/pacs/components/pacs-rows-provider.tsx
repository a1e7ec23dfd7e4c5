import { useQueries } from '@tanstack/react-query';
import type { UseQueryResult } from '@tanstack/react-query';
import { createContext, useContext, useMemo } from 'react';
import type { ReactNode } from 'react';
import { isApiError } from '../../../lib/api-client.ts';
import { pacsContextQueryOptions } from '../api/get-pacs-context.ts';
import { usePacsEnabled } from '../api/get-pacs-status.ts';
import type { PacsContextPage, PacsStudyContext } from '../../../../contract/worklist-api.ts';
import { isLookupableUid, lookupUids } from '../lib/dicom-uid.ts';

/** What a row's PACS cells show. */
export type PacsRowState =
  { status: 'loading' } | { status: 'unavailable'; reason: string } | { status: 'ready'; context: PacsStudyContext };

type PacsRowLookup = (studyInstanceUid: string) => PacsRowState;

const LOADING: PacsRowState = { status: 'loading' };
const NOT_IN_PACS: PacsRowState = { status: 'ready', context: { found: false } };

const PacsRowsContext = createContext<PacsRowLookup>(() => LOADING);

/** The PACS state of one row, inside {@link PacsRowsProvider}. */
export function usePacsRow(studyInstanceUid: string): PacsRowState {
  return useContext(PacsRowsContext)(studyInstanceUid);
}

type PageResult = Pick<UseQueryResult<PacsContextPage>, 'data' | 'error'>;

// Stable, so TanStack Query hands back the same array until a page's answer really changes.
function pickResults(results: UseQueryResult<PacsContextPage>[]): PageResult[] {
  return results.map(({ data, error }) => ({ data, error }));
}

function describeFailure(error: unknown): string {
  return isApiError(error) ? error.detail || error.title : 'The PACS could not be asked.';
}

/**
 * Nothing is asked while no PACS is connected (the provider stays in place either way, so the grid
 * under it is not remounted when the BFF's answer arrives).
 *
 * Fetches the PACS context of the loaded rows: one `POST /api/pacs/context` per page of rows (the
 * worklist's pages hold at most 100 studies, the BFF's limit), each cached under its UIDs, so a page
 * is asked for once however often the rows re-render, scroll or refresh with the same studies.
 */
export function PacsRowsProvider({
  pages,
  children,
}: {
  pages: ReadonlyArray<ReadonlyArray<{ studyInstanceUid: string }>>;
  children: ReactNode;
}) {
  const enabled = usePacsEnabled();
  const pageUids = useMemo(
    () =>
      (enabled ? pages : [])
        .map((page) => lookupUids(page.map((study) => study.studyInstanceUid)))
        .filter((uids) => uids.length > 0),
    [pages, enabled],
  );
  const results = useQueries({ queries: pageUids.map((uids) => pacsContextQueryOptions(uids)), combine: pickResults });

  const lookup = useMemo<PacsRowLookup>(() => {
    const byUid = new Map<string, PacsRowState>();
    pageUids.forEach((uids, index) => {
      const result = results[index];
      if (result?.data) {
        for (const uid of uids)
          byUid.set(uid, { status: 'ready', context: result.data.studies[uid] ?? { found: false } });
      } else if (result?.error) {
        const failed: PacsRowState = { status: 'unavailable', reason: describeFailure(result.error) };
        for (const uid of uids) if (!byUid.has(uid)) byUid.set(uid, failed);
      }
    });
    return (uid) => byUid.get(uid) ?? (isLookupableUid(uid) ? LOADING : NOT_IN_PACS);
  }, [pageUids, results]);

  return <PacsRowsContext value={lookup}>{children}</PacsRowsContext>;
}
