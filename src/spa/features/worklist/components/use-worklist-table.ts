import { functionalUpdate, useTable } from '@tanstack/react-table';
import type { ColumnOrderState, ColumnSizingState, ColumnVisibilityState, Updater } from '@tanstack/react-table';
import { useCallback, useEffect, useState } from 'react';
import type { Study } from '../../../../contract/avara-types.ts';
import { loadColumnLayout, saveColumnLayout } from '../lib/column-layout.ts';
import type { ColumnLayout } from '../lib/column-layout.ts';
import { COLUMN_IDS, DEFAULT_COLUMN_LAYOUT, worklistColumns, worklistFeatures } from './worklist-columns.tsx';

/**
 * The worklist's table: column visibility, order and widths owned here, remembered in this browser.
 * Its rows are the loaded studies of the open groups, in the order the server sent them.
 */
export function useWorklistTable(studies: Study[]) {
  const [layout, setLayout] = useState<ColumnLayout>(() => loadColumnLayout(COLUMN_IDS, DEFAULT_COLUMN_LAYOUT));

  useEffect(() => saveColumnLayout(layout), [layout]);

  const onColumnVisibilityChange = useCallback((updater: Updater<ColumnVisibilityState>) => {
    setLayout((previous) => ({ ...previous, visibility: functionalUpdate(updater, previous.visibility) }));
  }, []);
  const onColumnOrderChange = useCallback((updater: Updater<ColumnOrderState>) => {
    setLayout((previous) => ({ ...previous, order: functionalUpdate(updater, previous.order) }));
  }, []);
  const onColumnSizingChange = useCallback((updater: Updater<ColumnSizingState>) => {
    setLayout((previous) => ({ ...previous, sizing: functionalUpdate(updater, previous.sizing) }));
  }, []);
  const resetLayout = useCallback(() => setLayout(DEFAULT_COLUMN_LAYOUT), []);

  const table = useTable({
    features: worklistFeatures,
    columns: worklistColumns,
    data: studies,
    getRowId: (study) => study.studyId,
    columnResizeMode: 'onChange',
    state: { columnVisibility: layout.visibility, columnOrder: layout.order, columnSizing: layout.sizing },
    onColumnVisibilityChange,
    onColumnOrderChange,
    onColumnSizingChange,
  });
  return { table, layout, resetLayout };
}

export type WorklistTable = ReturnType<typeof useWorklistTable>['table'];
