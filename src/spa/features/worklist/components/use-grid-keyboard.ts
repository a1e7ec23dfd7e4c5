import type { VirtualItem, Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo } from 'react';
import type { RefObject } from 'react';
import { useShortcut } from '../../../lib/shortcuts/use-shortcut.ts';
import { indexesOf } from '../lib/grid-items.ts';
import type { WorklistItem } from '../lib/grid-items.ts';
import { nextStudyIndex } from '../lib/grid-keyboard.ts';

export interface GridKeyboardOptions {
  gridRef: RefObject<HTMLDivElement | null>;
  virtualizer: Virtualizer<HTMLDivElement, Element>;
  items: readonly WorklistItem[];
  focusedKey: string | null;
  focusedIndex: number;
  setFocusedKey: (key: string | null) => void;
  onOpenStudy: (studyId: string) => void;
  onFocusSearch: () => void;
  /** `x` selects the focused row; undefined when rows cannot be selected. */
  onSelectRow: ((studyId: string) => void) | undefined;
}

/**
 * The list's keys, through the page's shortcut registry (which leaves fields, selects and modifier
 * keys alone): ↓/j and ↑/k move the focused row, Enter opens it, Esc leaves the list, `x` selects,
 * `/` goes to the search. They move through the list only from the list itself or from nowhere in
 * particular, never from a control elsewhere (the drawer, a menu): returning false passes the key on.
 */
export function useGridKeyboard({
  gridRef,
  virtualizer,
  items,
  focusedKey,
  focusedIndex,
  setFocusedKey,
  onOpenStudy,
  onFocusSearch,
  onSelectRow,
}: GridKeyboardOptions): void {
  const studyIndexes = useMemo(() => indexesOf(items, 'study'), [items]);
  // Moving the visible focus: the row gets DOM focus too, so screen readers follow it.
  const moveFocus = useCallback(
    (step: 1 | -1) => {
      const next = nextStudyIndex(studyIndexes, focusedIndex, virtualizer.range?.startIndex ?? 0, step);
      const item = next === undefined ? undefined : items[next];
      if (next === undefined || !item) return;
      setFocusedKey(item.key);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    },
    [focusedIndex, items, studyIndexes, virtualizer, setFocusedKey],
  );

  const fromList = (event: KeyboardEvent) => {
    const target = event.target;
    return (
      target === null ||
      target === document.body ||
      (target instanceof Node && (gridRef.current?.contains(target) ?? false))
    );
  };
  const focusedStudy = () => {
    const item = focusedIndex >= 0 ? items[focusedIndex] : undefined;
    return item?.kind === 'study' ? item : undefined;
  };
  useShortcut({ keys: ['/'], label: 'Search', group: 'Worklist', run: onFocusSearch });
  useShortcut({
    keys: ['ArrowDown', 'j'],
    label: 'Next row',
    group: 'Worklist',
    run: (event) => (fromList(event) ? moveFocus(1) : false),
  });
  useShortcut({
    keys: ['ArrowUp', 'k'],
    label: 'Previous row',
    group: 'Worklist',
    run: (event) => (fromList(event) ? moveFocus(-1) : false),
  });
  useShortcut({
    keys: ['Enter'],
    label: 'Open the study',
    group: 'Worklist',
    run: (event) => {
      const fromRow = event.target instanceof HTMLElement && event.target.dataset.rowKey !== undefined;
      const study = focusedStudy();
      if (!fromList(event) || (!fromRow && event.target !== document.body) || !study) return false;
      onOpenStudy(study.study.studyId);
    },
  });
  useShortcut({
    keys: ['Escape'],
    label: 'Leave the list',
    group: 'Worklist',
    run: (event) => {
      if (!fromList(event) || focusedKey === null) return false;
      setFocusedKey(null);
      if (event.target instanceof HTMLElement && event.target !== document.body) event.target.blur();
      // Not the key's end: the drawer closes on the same Esc.
      return false;
    },
  });
  useShortcut({
    keys: ['x'],
    label: 'Select the row',
    group: 'Worklist',
    enabled: onSelectRow !== undefined,
    run: (event) => {
      const study = focusedStudy();
      if (!fromList(event) || !study || !onSelectRow) return false;
      onSelectRow(study.key);
    },
  });
}

/**
 * The focused row gets DOM focus once it is among the rendered items (moved to by a key, it comes
 * into view a frame later): called where the rows are rendered, which renders on every move of the
 * range.
 */
export function useFocusRenderedRow(
  gridRef: RefObject<HTMLDivElement | null>,
  focusedKey: string | null,
  virtualItems: readonly VirtualItem[],
): void {
  useEffect(() => {
    if (focusedKey === null) return;
    const row = gridRef.current?.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(focusedKey)}"]`);
    // Only while focus is on a row or nowhere: a column header being resized, or a control
    // elsewhere, keeps it.
    const active = document.activeElement;
    const onRowOrNowhere =
      active === null ||
      active === document.body ||
      (active instanceof HTMLElement && active.dataset.studyRow !== undefined);
    if (row && active !== row && onRowOrNowhere) row.focus({ preventScroll: true });
  }, [gridRef, focusedKey, virtualItems]);
}
