import type { CSSProperties } from 'react';
import { COLUMN_HEADER_HEIGHT } from './grid-items.ts';

/**
 * The grid's style objects, each made once and reused: a row or cell that stays on screen while the
 * list scrolls keeps the same style object (and so the same props), and its memoized component does
 * not render again.
 */

/** The width of the rows' checkbox column, when rows can be selected. */
export const SELECT_COLUMN_WIDTH = 36;

const cellStyles = new Map<string, CSSProperties>();

/**
 * A cell's width is its column's CSS variable, set once on the grid. A text cell is a block centred
 * by its line height (the row's height); other cells centre their content with flex.
 */
export function cellStyle(columnId: string, text = false): CSSProperties {
  const key = `${text ? 'text' : 'flex'}:${columnId}`;
  let style = cellStyles.get(key);
  if (!style) {
    style = text
      ? { width: `var(--col-${columnId})`, lineHeight: 'var(--row-height)' }
      : { width: `var(--col-${columnId})` };
    // On a screen wider than the columns, the description takes the free width (header and rows alike).
    if (columnId === 'description') style = { ...style, flexGrow: 1 };
    cellStyles.set(key, style);
  }
  return style;
}

const rowStyles = new Map<string, CSSProperties>();

/**
 * Each row is placed with `top` in the row group, one style object per position and height, so rows
 * that stay on screen keep unchanged props. A positioned row is a paint layer of its own: scrolling
 * paints the rows that came in and reuses what was painted for the others. (Measured against the
 * alternatives: transforms made every row a compositing candidate, re-layerized on every frame; rows
 * in normal flow after a spacer were all repainted on every frame.)
 */
export function rowStyle(top: number, height: number): CSSProperties {
  const key = `${top}:${height}`;
  let style = rowStyles.get(key);
  if (!style) {
    // Bounded: a long scroll visits many positions, and only those on screen are needed again. The
    // oldest goes, not all: emptying the cache gave every row on screen a new style object at once,
    // and so rendered them all again in one frame, a few times a pass through 10,000 rows.
    if (rowStyles.size >= 2_000) {
      const oldest = rowStyles.keys().next().value;
      if (oldest !== undefined) rowStyles.delete(oldest);
    }
    style = { position: 'absolute', top, left: 0, height };
    rowStyles.set(key, style);
  }
  return style;
}

const stickyStyles = new Map<number, CSSProperties>();

/** The group header at the top sticks under the column header. */
export function stickyStyle(height: number): CSSProperties {
  let style = stickyStyles.get(height);
  if (!style) {
    style = { position: 'sticky', top: COLUMN_HEADER_HEIGHT, height, zIndex: 10 };
    stickyStyles.set(height, style);
  }
  return style;
}
