/**
 * The worklist's column layout (visibility, order, widths), remembered per browser. Read defensively:
 * a layout saved by an older version may name columns that no longer exist or miss new ones.
 */
export interface ColumnLayout {
  visibility: Record<string, boolean>;
  order: string[];
  sizing: Record<string, number>;
}

const STORAGE_KEY = 'radiology-worklist.columns.v1';

function isRecordOf<T>(value: unknown, check: (entry: unknown) => entry is T): value is Record<string, T> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(check);
}

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isWidth = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Keeps only known columns; columns the saved order does not mention go where the defaults put them. */
export function normalizeLayout(saved: unknown, columnIds: readonly string[], defaults: ColumnLayout): ColumnLayout {
  if (typeof saved !== 'object' || saved === null) return defaults;
  const known = new Set(columnIds);
  const visibility = 'visibility' in saved && isRecordOf(saved.visibility, isBoolean) ? saved.visibility : {};
  const sizing = 'sizing' in saved && isRecordOf(saved.sizing, isWidth) ? saved.sizing : {};
  const savedOrder =
    'order' in saved && Array.isArray(saved.order)
      ? saved.order.filter((id): id is string => typeof id === 'string' && known.has(id))
      : [];
  const order = [...new Set(savedOrder)];
  for (const id of defaults.order) {
    if (order.includes(id)) continue;
    const defaultIndex = defaults.order.indexOf(id);
    const before = defaults.order.slice(0, defaultIndex).findLast((other) => order.includes(other));
    order.splice(before === undefined ? 0 : order.indexOf(before) + 1, 0, id);
  }
  const pick = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).filter(([id]) => known.has(id)));
  return {
    visibility: { ...defaults.visibility, ...pick(visibility) },
    order,
    sizing: pick(sizing),
  };
}

export function loadColumnLayout(columnIds: readonly string[], defaults: ColumnLayout): ColumnLayout {
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    return text ? normalizeLayout(JSON.parse(text), columnIds, defaults) : defaults;
  } catch {
    return defaults;
  }
}

export function saveColumnLayout(layout: ColumnLayout): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(layout));
  } catch {
    // Storage full or blocked: the layout lasts for this visit only.
  }
}
