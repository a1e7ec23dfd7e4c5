import { lazy, Suspense, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { ComponentType } from 'react';
import { actorOf, mayManageStudies, mayTakeNextStudy } from '../../contract/actor.ts';
import { useMe } from '../lib/auth/get-me.ts';
import { createStudySelection } from '../lib/studies/study-selection.ts';
import { usePacsEnabled } from '../features/pacs/api/get-pacs-status.ts';
import { PacsRowsProvider } from '../features/pacs/components/pacs-rows-provider.tsx';
import { NewStudyButton } from '../features/study-drawer/components/new-study-button.tsx';
import type { WorklistExtraColumn } from '../features/worklist/components/worklist-columns.tsx';
import { WorklistPage } from '../features/worklist/components/worklist-page.tsx';
import type { WorklistExtension } from '../features/worklist/components/worklist-page.tsx';
import { loadedPacsColumns, loadPacsExtension, PENDING_PACS_COLUMNS } from './pacs-columns.ts';
import { PENDING_READING_COLUMNS } from './reading-column.ts';

// Next study is not needed for the first screen: it loads after it, and only for a reader.
const NextStudyButton = lazy(async () => ({ default: (await import('./next-study-button.tsx')).NextStudyButton }));
// The bulk bar and the inline assignee picker load on a coordinator's first selection.
const BulkLayer = lazy(async () => ({
  default: (await import('../features/bulk/components/bulk-layer.tsx')).BulkLayer,
}));

interface ReadingExtension {
  columns: readonly WorklistExtraColumn[];
  ReadingRoom: ComponentType;
  AlertSettingsButton: ComponentType;
}

/**
 * The worklist as the app composes it: the Next study (for readers) and New study buttons, the live
 * reading room (a Reading column with who reads what, the new-STAT alert and its options) and the
 * PACS columns when a PACS is connected. Their code loads after the first screen (the PACS's only
 * when a PACS is connected), so the list's own bundle does not carry it; the Reading column, and with
 * a PACS the PACS columns, are there from the first render, empty until their code arrives, so the
 * columns beside them do not move. The rows provider stays
 * without a PACS too (it then asks nothing), so the grid is not remounted when the BFF's answer, or
 * the columns' code, arrives; only the cells fill in.
 */
export function WorklistRoute() {
  const pacs = usePacsEnabled();
  const actor = actorOf(useMe().data);
  const reader = mayTakeNextStudy(actor).allowed;
  // Bulk changes are a coordinator's: rows get checkboxes, and the bar loads on the first gesture.
  const [selection] = useState(createStudySelection);
  const bulkRequested = () => selection.get().requested;
  const bulkWanted = useSyncExternalStore(selection.subscribe, bulkRequested, bulkRequested);
  const coordinator = mayManageStudies(actor);
  // Already here when the page said a PACS is connected (src/spa/boot.tsx) and on the server.
  const [pacsColumns, setPacsColumns] = useState(loadedPacsColumns);
  const [reading, setReading] = useState<ReadingExtension | undefined>(undefined);
  const [CriticalResults, setCriticalResults] = useState<ComponentType | undefined>(undefined);
  useEffect(() => {
    if (!pacs || pacsColumns) return;
    let current = true;
    loadPacsExtension().then(
      (module) => current && setPacsColumns(module.PACS_COLUMNS),
      // Not loaded (the server went away): the list goes on without the PACS columns.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [pacs, pacsColumns]);
  useEffect(() => {
    let current = true;
    // After the first screen: the rows come first, who reads them a moment later.
    const idle = whenIdle(() => {
      import('./reading-room-extension.tsx').then(
        (module) =>
          current &&
          setReading({
            columns: module.READING_COLUMNS,
            ReadingRoom: module.ReadingRoom,
            AlertSettingsButton: module.AlertSettingsButton,
          }),
        // Not loaded (the server went away): the list goes on without who reads what.
        () => undefined,
      );
      // The critical-results alert, likewise: most screens have none to show.
      import('../features/worklist/components/critical-results-banner.tsx').then(
        (module) => current && setCriticalResults(() => module.CriticalResultsBanner),
        () => undefined,
      );
    });
    return () => {
      current = false;
      idle();
    };
  }, []);
  // With a PACS, its columns' slots are there from the first render; their cells come with their code.
  const shownPacs = pacs ? (pacsColumns ?? PENDING_PACS_COLUMNS) : undefined;
  const extension = useMemo<WorklistExtension>(
    () => ({
      columns: [...(reading?.columns ?? PENDING_READING_COLUMNS), ...(shownPacs ?? [])],
      RowsProvider: PacsRowsProvider,
    }),
    [reading, shownPacs],
  );
  const ReadingRoom = reading?.ReadingRoom;
  const AlertSettings = reading?.AlertSettingsButton;
  return (
    <>
      {ReadingRoom ? <ReadingRoom /> : null}
      <WorklistPage
        actions={
          <>
            {reader ? (
              <Suspense fallback={null}>
                <NextStudyButton placement="toolbar" />
              </Suspense>
            ) : null}
            {AlertSettings ? <AlertSettings /> : null}
            <NewStudyButton />
          </>
        }
        extension={extension}
        notices={CriticalResults ? <CriticalResults /> : null}
        selection={coordinator ? selection : undefined}
        bulkBar={
          coordinator && bulkWanted ? (
            <Suspense fallback={null}>
              <BulkLayer selection={selection} />
            </Suspense>
          ) : null
        }
      />
    </>
  );
}

/** Runs `work` once the browser is idle (at most 2 s from now); answers the way to call it off. */
function whenIdle(work: () => void): () => void {
  if (typeof window.requestIdleCallback === 'function') {
    const handle = window.requestIdleCallback(work, { timeout: 2_000 });
    return () => window.cancelIdleCallback(handle);
  }
  const timer = window.setTimeout(work, 1_000);
  return () => window.clearTimeout(timer);
}
