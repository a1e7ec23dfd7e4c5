import { SEVERITIES, type Severity } from '../../contract/avara-types.ts';
import type { ProblemIssue } from '../../contract/problem.ts';
import { SAVED_VIEW_LIMITS, type SavedViewColumns } from '../../contract/worklist-api.ts';
import {
  SEARCH_PARAM,
  defaultFilters,
  parseFilters,
  writeFilters,
  type Viewer,
} from '../../contract/worklist-filters.ts';
import type { ViewChange, ViewContent } from './saved-views.ts';

const COLUMN_ID = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const MAX_COLUMNS = 40;
const WIDTH = { min: 20, max: 4000 } as const;
const FILTER_NAMES = new Set<string>(Object.values(SEARCH_PARAM));

export type Checked<T> = { ok: true; value: T } | { ok: false; issues: ProblemIssue[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const issue = (name: string, message: string): ProblemIssue => ({ in: 'body', name, message });

/**
 * A view's filters: the worklist address's query (`status=any&assignee=me`), read by the same
 * parsers the worklist reads its address with (src/contract/worklist-filters.ts) for the person who
 * saves it, and kept as the worklist writes it. A parameter the address does not have, or a value it
 * would read as something else (a garbled date, an unknown status), is refused rather than quietly
 * changed, so what is saved is what the person saw.
 */
export function checkFilters(text: unknown, viewer: Viewer): Checked<string> {
  if (typeof text !== 'string')
    return {
      ok: false,
      issues: [issue('filters', 'is required: the worklist address’s query, e.g. "status=any&assignee=me"')],
    };
  if (text.length > SAVED_VIEW_LIMITS.filtersLength)
    return { ok: false, issues: [issue('filters', `must be at most ${SAVED_VIEW_LIMITS.filtersLength} characters`)] };
  const given = new URLSearchParams(text.startsWith('?') ? text.slice(1) : text);
  const issues: ProblemIssue[] = [];
  const seen = new Set<string>();
  for (const [name] of given) {
    if (!FILTER_NAMES.has(name)) issues.push(issue(`filters.${name}`, 'is not a filter of the worklist'));
    else if (seen.has(name)) issues.push(issue(`filters.${name}`, 'is given more than once'));
    seen.add(name);
  }
  if (issues.length > 0) return { ok: false, issues };
  const canonical = writeFilters(new URLSearchParams(), parseFilters(given, viewer));
  const defaults = writeFilters(new URLSearchParams(), defaultFilters(viewer));
  for (const [name, value] of given) {
    const read = canonical.get(name);
    if (read === value) continue;
    if (read === null && defaults.get(name) === null && readsAsDefault(name, value)) continue;
    issues.push(
      issue(
        `filters.${name}`,
        read === null ? `does not take "${value}"` : `does not take "${value}" (the worklist would read "${read}")`,
      ),
    );
  }
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: canonical.toString() };
}

/** Whether the value, alone, is read as the filter's default on purpose (`status=incomplete`), not as a fallback for garble. */
function readsAsDefault(name: string, value: string): boolean {
  const spelled: Record<string, string[]> = {
    [SEARCH_PARAM.viewerStatus]: ['incomplete'],
    [SEARCH_PARAM.customer]: ['any'],
    [SEARCH_PARAM.includeCancelled]: ['0'],
    [SEARCH_PARAM.overdue]: ['0'],
    [SEARCH_PARAM.groups]: [SEVERITIES.join(',')],
    [SEARCH_PARAM.description]: [''],
    [SEARCH_PARAM.modality]: [''],
    [SEARCH_PARAM.studyDate]: [''],
  };
  return spelled[name]?.includes(value) ?? false;
}

export function checkColumns(value: unknown): Checked<SavedViewColumns | null> {
  if (value === null) return { ok: true, value: null };
  if (!isRecord(value))
    return {
      ok: false,
      issues: [issue('columns', 'must be the grid’s layout ({ visibility, order, sizing }) or null')],
    };
  const issues: ProblemIssue[] = [];
  const extra = Object.keys(value).filter((key) => key !== 'visibility' && key !== 'order' && key !== 'sizing');
  for (const key of extra) issues.push(issue(`columns.${key}`, 'is not part of a column layout'));
  const { visibility, order, sizing } = value;
  const checkIds = (ids: string[], where: string) => {
    if (ids.length > MAX_COLUMNS) issues.push(issue(where, `must name at most ${MAX_COLUMNS} columns`));
    for (const id of ids.slice(0, MAX_COLUMNS + 1))
      if (!COLUMN_ID.test(id)) issues.push(issue(where, `names a column "${id.slice(0, 70)}" that is not a column id`));
  };
  if (!isRecord(visibility)) issues.push(issue('columns.visibility', 'must map column ids to true or false'));
  else {
    checkIds(Object.keys(visibility), 'columns.visibility');
    if (!Object.values(visibility).every((shown) => typeof shown === 'boolean'))
      issues.push(issue('columns.visibility', 'must map column ids to true or false'));
  }
  if (!Array.isArray(order) || !order.every((id): id is string => typeof id === 'string'))
    issues.push(issue('columns.order', 'must list column ids'));
  else checkIds(order, 'columns.order');
  if (!isRecord(sizing)) issues.push(issue('columns.sizing', 'must map column ids to widths in pixels'));
  else {
    checkIds(Object.keys(sizing), 'columns.sizing');
    const widthsOk = Object.values(sizing).every(
      (width) => typeof width === 'number' && Number.isFinite(width) && width >= WIDTH.min && width <= WIDTH.max,
    );
    if (!widthsOk)
      issues.push(issue('columns.sizing', `must map column ids to widths of ${WIDTH.min}-${WIDTH.max} pixels`));
  }
  if (issues.length > 0 || !isRecord(visibility) || !Array.isArray(order) || !isRecord(sizing))
    return { ok: false, issues };
  return {
    ok: true,
    value: {
      visibility: Object.fromEntries(Object.entries(visibility).map(([id, shown]) => [id, shown === true])),
      order: order.filter((id): id is string => typeof id === 'string'),
      sizing: Object.fromEntries(Object.entries(sizing).map(([id, width]) => [id, Math.round(Number(width))])),
    },
  };
}

function checkCollapsed(value: unknown): Checked<Severity[]> {
  const isSeverity = (entry: unknown): entry is Severity => SEVERITIES.some((severity) => severity === entry);
  if (!Array.isArray(value) || !value.every(isSeverity))
    return { ok: false, issues: [issue('collapsed', 'must list severity groups (stat, high, normal)')] };
  return { ok: true, value: SEVERITIES.filter((severity) => value.includes(severity)) };
}

function checkName(value: unknown): Checked<string> {
  const name = typeof value === 'string' ? value.trim().replace(/\s+/g, ' ') : undefined;
  if (name === undefined || name === '')
    return { ok: false, issues: [issue('name', 'is required: a few words that say what the view shows')] };
  if (name.length > SAVED_VIEW_LIMITS.nameLength)
    return { ok: false, issues: [issue('name', `must be at most ${SAVED_VIEW_LIMITS.nameLength} characters`)] };
  // Control characters would print oddly in the menu and in logs.
  if (/\p{Cc}/u.test(name)) return { ok: false, issues: [issue('name', 'must not contain control characters')] };
  return { ok: true, value: name };
}

const KNOWN = new Set(['name', 'filters', 'columns', 'collapsed']);

/**
 * A POST (`create`: name and filters required, columns and collapsed optional) or a PATCH (any of
 * them, at least one) body of /api/views, checked member by member; unknown members are refused.
 */
export function checkViewBody(
  body: unknown,
  viewer: Viewer,
  mode: 'create',
): Checked<ViewContent & { isDefault: boolean }>;
export function checkViewBody(body: unknown, viewer: Viewer, mode: 'update'): Checked<ViewChange>;
export function checkViewBody(
  body: unknown,
  viewer: Viewer,
  mode: 'create' | 'update',
): Checked<ViewChange & { isDefault?: boolean }> {
  if (!isRecord(body)) return { ok: false, issues: [issue('', 'must be a JSON object')] };
  const issues: ProblemIssue[] = [];
  for (const key of Object.keys(body)) {
    if (!KNOWN.has(key) && !(mode === 'create' && key === 'isDefault'))
      issues.push(issue(key, 'is not a member of a saved view'));
  }
  const out: ViewChange & { isDefault?: boolean } = {};
  const take = <T>(result: Checked<T>, set: (value: T) => void) =>
    result.ok ? set(result.value) : issues.push(...result.issues);
  if (mode === 'create' || body.name !== undefined) take(checkName(body.name), (name) => (out.name = name));
  if (mode === 'create' || body.filters !== undefined)
    take(checkFilters(body.filters, viewer), (filters) => (out.filters = filters));
  if (body.columns !== undefined) take(checkColumns(body.columns), (columns) => (out.columns = columns));
  else if (mode === 'create') out.columns = null;
  if (body.collapsed !== undefined) take(checkCollapsed(body.collapsed), (collapsed) => (out.collapsed = collapsed));
  else if (mode === 'create') out.collapsed = [];
  if (mode === 'create') {
    if (body.isDefault !== undefined && typeof body.isDefault !== 'boolean')
      issues.push(issue('isDefault', 'must be true or false'));
    out.isDefault = body.isDefault === true;
  }
  if (mode === 'update' && issues.length === 0 && Object.keys(out).length === 0)
    issues.push(issue('', 'must change something: name, filters, columns or collapsed'));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: out };
}
