import { functionalUpdate, useTable } from '@tanstack/react-table';
import type { ColumnOrderState, ColumnSizingState, ColumnVisibilityState, Updater } from '@tanstack/react-table';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { loadColumnLayout, normalizeLayout, saveColumnLayout } from '../lib/column-layout.ts';
import type { ColumnLayout } from '../lib/column-layout.ts';
import { defaultLayoutWith, withExtraColumns, worklistFeatures } from './worklist-columns.tsx';
import type { WorklistExtraColumn } from './worklist-columns.tsx';

const NO_EXTRA_COLUMNS: readonly WorklistExtraColumn[] = [];

const NO_ROWS: Study[] = [];

/**
 * The worklist's columns: visibility, order and widths owned here, remembered in this browser. The
 * table holds no rows: the grid renders the loaded studies itself, so a page of studies arriving
 * does not rebuild a row object for every study already loaded (10,000 after a long scroll).
 */
export function useWorklistTable(extraColumns: readonly WorklistExtraColumn[] = NO_EXTRA_COLUMNS) {
  const columns = useMemo(() => withExtraColumns(extraColumns), [extraColumns]);
  const defaults = useMemo(() => defaultLayoutWith(extraColumns), [extraColumns]);
  const columnIds = useMemo(() => columns.map((column) => column.id ?? ''), [columns]);
  const [layout, setLayout] = useState<ColumnLayout>(() => loadColumnLayout(columnIds, defaults));

  // Extra columns can arrive after the first render (the PACS columns, once the BFF says a PACS is
  // there): the saved layout is read again for the new set of columns.
  const [layoutFor, setLayoutFor] = useState(columnIds);
  if (layoutFor !== columnIds) {
    setLayoutFor(columnIds);
    setLayout(loadColumnLayout(columnIds, defaults));
  }

  // Saved only once the user changes it: a layout read before the extra columns arrived must not
  // overwrite how the user had them.
  const edited = useRef(false);
  useEffect(() => {
    if (edited.current) saveColumnLayout(layout);
  }, [layout]);
  const change = useCallback((next: (previous: ColumnLayout) => ColumnLayout) => {
    edited.current = true;
    setLayout(next);
  }, []);
  const onColumnVisibilityChange = useCallback(
    (updater: Updater<ColumnVisibilityState>) =>
      change((previous) => ({ ...previous, visibility: functionalUpdate(updater, previous.visibility) })),
    [change],
  );
  const onColumnOrderChange = useCallback(
    (updater: Updater<ColumnOrderState>) =>
      change((previous) => ({ ...previous, order: functionalUpdate(updater, previous.order) })),
    [change],
  );
  const onColumnSizingChange = useCallback(
    (updater: Updater<ColumnSizingState>) =>
      change((previous) => ({ ...previous, sizing: functionalUpdate(updater, previous.sizing) })),
    [change],
  );
  const resetLayout = useCallback(() => change(() => defaults), [change, defaults]);
  /** A saved view's layout, read as defensively as the browser's own (its columns may have changed since). */
  const applyLayout = useCallback(
    (saved: unknown) => change(() => normalizeLayout(saved, columnIds, defaults)),
    [change, columnIds, defaults],
  );

  const table = useTable({
    features: worklistFeatures,
    columns,
    data: NO_ROWS,
    columnResizeMode: 'onChange',
    state: { columnVisibility: layout.visibility, columnOrder: layout.order, columnSizing: layout.sizing },
    onColumnVisibilityChange,
    onColumnOrderChange,
    onColumnSizingChange,
  });
  return { table, layout, resetLayout, applyLayout };
}

export type WorklistTable = ReturnType<typeof useWorklistTable>['table'];
