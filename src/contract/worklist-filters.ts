// The worklist's filters as its URL says them, and the list query each severity group asks. Shared:
// the SPA reads and writes them, the BFF works out the first page it puts in the HTML (decision 024)
// and reads a saved view's filters with the same parsers (src/bff/views/).

import type { ListStudiesQuery, Severity } from './avara-types.ts';
import { SEVERITIES } from './avara-types.ts';
import { MINE_OR_UNASSIGNED } from './worklist-api.ts';
import { SEARCH_TEXT_MAX } from './study-search.ts';

/**
 * Which studies the assignee filter keeps: a fixed choice or one person of the roster (`usr_…`).
 * `mine-or-unassigned`: mine, and the unassigned ones I may claim, merged by the BFF (never here).
 */
export type AssigneeChoice = 'me' | typeof MINE_OR_UNASSIGNED | 'unassigned' | 'anyone' | `usr_${string}`;
export type ViewerStatusChoice = 'incomplete' | 'complete' | 'any';
/** `any` keeps every customer, `none` only studies without one, else one `cus_…`. */
export type CustomerChoice = 'any' | 'none' | `cus_${string}`;

/**
 * A study-date range: none, one the day it is used names (`today`, `yesterday`, the last 7 days
 * with today), or fixed dates (`YYYY-MM-DD..YYYY-MM-DD`, either end may be empty).
 */
export type StudyDateChoice = '' | 'today' | 'yesterday' | '7d' | `${string}..${string}`;

/** The worklist's filters, as the URL carries them. Every one maps to a filter of the BFF's list. */
export interface WorklistFilters {
  /** The search: patient name, MRN, accession, UID or description (the BFF's `search`). */
  description: string;
  /** A DICOM modality, upper case; empty for any. */
  modality: string;
  studyDate: StudyDateChoice;
  /** Only studies past their SLA target. */
  overdue: boolean;
  /** Only studies with a critical result nobody has acknowledged (the BFF's `critical`). */
  critical: boolean;
  viewerStatus: ViewerStatusChoice;
  assignee: AssigneeChoice;
  customer: CustomerChoice;
  includeCancelled: boolean;
  /** The severity groups shown, always in STAT, HIGH, NORMAL order. */
  groups: Severity[];
}

/** The BFF's own filters of its list (docs/api.md, "Search"). */
export type SearchListFilters = {
  search?: string;
  modality?: string;
  studyDateFrom?: string;
  studyDateTo?: string;
  overdue?: boolean;
  critical?: boolean;
};

/** The list's filters for one group; paging belongs to the query, not to the filters. */
export type StudyListFilters = Omit<ListStudiesQuery, 'limit' | 'cursor'> & SearchListFilters;

/** Who is looking: the defaults and "me" depend on it. */
export interface Viewer {
  role: 'radiologist' | 'coordinator';
  userId: string | null;
}

export const SEARCH_PARAM = {
  description: 'q',
  viewerStatus: 'status',
  assignee: 'assignee',
  customer: 'customer',
  includeCancelled: 'cancelled',
  groups: 'groups',
  modality: 'modality',
  studyDate: 'date',
  overdue: 'overdue',
  critical: 'critical',
} as const;

/** The modalities the filter offers (DICOM's own codes). */
export const MODALITIES = ['CT', 'MR', 'CR', 'DX', 'US', 'MG', 'NM', 'PT', 'XA', 'RF'] as const;

const MODALITY = /^[A-Z0-9]{1,16}$/;
const DATE_RANGE = /^(\d{4}-\d\d-\d\d)?\.\.(\d{4}-\d\d-\d\d)?$/;

const USER_ID = /^usr_[0-9a-f]{32}$/;
const CUSTOMER_ID = /^cus_[0-9a-f]{32}$/;

function isUserId(value: string): value is `usr_${string}` {
  return USER_ID.test(value);
}

function isCustomerId(value: string): value is `cus_${string}` {
  return CUSTOMER_ID.test(value);
}

function isSeverity(value: string): value is Severity {
  return SEVERITIES.some((severity) => severity === value);
}

/**
 * A radiologist starts with their own studies and the unassigned ones they may claim (arrivals from
 * the PACS are unassigned: "Me" alone would hide them); a coordinator triages everyone's. Both need
 * an Avara user ID: someone not on the roster starts with everyone's studies rather than an empty list.
 */
export function defaultAssignee(viewer: Viewer): AssigneeChoice {
  return viewer.role === 'radiologist' && viewer.userId ? MINE_OR_UNASSIGNED : 'anyone';
}

export function defaultFilters(viewer: Viewer): WorklistFilters {
  return {
    description: '',
    modality: '',
    studyDate: '',
    overdue: false,
    critical: false,
    viewerStatus: 'incomplete',
    assignee: defaultAssignee(viewer),
    customer: 'any',
    includeCancelled: false,
    groups: [...SEVERITIES],
  };
}

/** An assignee choice from the URL or the filter bar; anything else is the viewer's default. */
export function parseAssignee(value: string | null, viewer: Viewer): AssigneeChoice {
  if (value === 'me' || value === MINE_OR_UNASSIGNED) return viewer.userId ? value : 'anyone';
  if (value === 'unassigned' || value === 'anyone') return value;
  if (value !== null && isUserId(value)) return value;
  return defaultAssignee(viewer);
}

/** A customer choice from the URL or the filter bar; anything else is any customer. */
export function parseCustomer(value: string | null): CustomerChoice {
  if (value === 'none') return 'none';
  if (value !== null && isCustomerId(value)) return value;
  return 'any';
}

/** A viewer status choice from the URL or the filter bar; anything else is unread. */
export function parseViewerStatus(value: string | null): ViewerStatusChoice {
  return value === 'complete' || value === 'any' ? value : 'incomplete';
}

function parseGroups(value: string | null): Severity[] {
  if (value === null) return [...SEVERITIES];
  const wanted = new Set(value.split(',').filter(isSeverity));
  // An empty or garbled list would show nothing at all; showing every group is the safer reading.
  if (wanted.size === 0) return [...SEVERITIES];
  return SEVERITIES.filter((severity) => wanted.has(severity));
}

function parseModality(value: string | null): string {
  const modality = (value ?? '').trim().toUpperCase();
  return MODALITY.test(modality) ? modality : '';
}

/** A study date choice (a named one or a range) from the URL or the filter bar; anything else is any date. */
export function parseStudyDate(value: string | null): StudyDateChoice {
  if (value === 'today' || value === 'yesterday' || value === '7d') return value;
  const range = DATE_RANGE.exec(value ?? '');
  const [, from = '', to = ''] = range ?? [];
  if (from === '' && to === '') return '';
  // Ends given the wrong way round are read the right way round.
  return from !== '' && to !== '' && from > to ? `${to}..${from}` : `${from}..${to}`;
}

/** Reads the filters from the URL; anything missing or malformed falls back to the default. */
export function parseFilters(params: URLSearchParams, viewer: Viewer): WorklistFilters {
  return {
    description: (params.get(SEARCH_PARAM.description) ?? '').trim().slice(0, SEARCH_TEXT_MAX),
    modality: parseModality(params.get(SEARCH_PARAM.modality)),
    studyDate: parseStudyDate(params.get(SEARCH_PARAM.studyDate)),
    overdue: params.get(SEARCH_PARAM.overdue) === '1',
    critical: params.get(SEARCH_PARAM.critical) === '1',
    viewerStatus: parseViewerStatus(params.get(SEARCH_PARAM.viewerStatus)),
    assignee: parseAssignee(params.get(SEARCH_PARAM.assignee), viewer),
    customer: parseCustomer(params.get(SEARCH_PARAM.customer)),
    includeCancelled: params.get(SEARCH_PARAM.includeCancelled) === '1',
    groups: parseGroups(params.get(SEARCH_PARAM.groups)),
  };
}

/**
 * Writes the filters into a copy of `params`, leaving other parameters (e.g. `embed`) alone. Values
 * equal to the default are left out to keep links short, except the assignee: its default depends on
 * the role, and a link a coordinator shares must show a radiologist the same list.
 */
export function writeFilters(params: URLSearchParams, filters: WorklistFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string | null) => {
    if (value === null) next.delete(name);
    else next.set(name, value);
  };
  set(SEARCH_PARAM.description, filters.description.trim() === '' ? null : filters.description.trim());
  set(SEARCH_PARAM.modality, filters.modality === '' ? null : filters.modality);
  set(SEARCH_PARAM.studyDate, filters.studyDate === '' ? null : filters.studyDate);
  set(SEARCH_PARAM.overdue, filters.overdue ? '1' : null);
  set(SEARCH_PARAM.critical, filters.critical ? '1' : null);
  set(SEARCH_PARAM.viewerStatus, filters.viewerStatus === 'incomplete' ? null : filters.viewerStatus);
  set(SEARCH_PARAM.assignee, filters.assignee);
  set(SEARCH_PARAM.customer, filters.customer === 'any' ? null : filters.customer);
  set(SEARCH_PARAM.includeCancelled, filters.includeCancelled ? '1' : null);
  set(SEARCH_PARAM.groups, filters.groups.length === SEVERITIES.length ? null : filters.groups.join(','));
  return next;
}

/** True when the filters differ from what this person starts with (the URL says so without the assignee). */
export function hasActiveFilters(filters: WorklistFilters, viewer: Viewer): boolean {
  const written = (choice: WorklistFilters) =>
    writeFilters(new URLSearchParams(), { ...choice, assignee: 'anyone' }).toString();
  return filters.assignee !== defaultAssignee(viewer) || written(filters) !== written(defaultFilters(viewer));
}

/** A local calendar day as `YYYY-MM-DD`. */
export function localDate(at: Date): string {
  return `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`;
}

/** The dates a study-date choice covers on `today` (local), inclusive; undefined ends are open. */
export function studyDateRange(choice: StudyDateChoice, today: Date): { from?: string; to?: string } {
  const daysAgo = (days: number) => localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - days));
  if (choice === '') return {};
  if (choice === 'today') return { from: daysAgo(0), to: daysAgo(0) };
  if (choice === 'yesterday') return { from: daysAgo(1), to: daysAgo(1) };
  if (choice === '7d') return { from: daysAgo(6), to: daysAgo(0) };
  const [from = '', to = ''] = choice.split('..');
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/**
 * The list's filters for one severity group. Nothing is filtered in the browser: every choice here
 * is a query parameter the server applies before paging (the search ones by the BFF itself).
 * `today` names the day relative dates are read on.
 */
export function toListFilters(
  filters: WorklistFilters,
  severity: Severity,
  viewer: Viewer,
  today: Date = new Date(),
): StudyListFilters {
  const query: StudyListFilters = { severity };
  if (filters.description.trim() !== '') query.search = filters.description.trim();
  if (filters.modality !== '') query.modality = filters.modality;
  const dates = studyDateRange(filters.studyDate, today);
  if (dates.from) query.studyDateFrom = dates.from;
  if (dates.to) query.studyDateTo = dates.to;
  if (filters.overdue) query.overdue = true;
  if (filters.critical) query.critical = true;
  if (filters.viewerStatus !== 'any') query.studyViewerStatus = filters.viewerStatus;
  if (filters.assignee === 'me') {
    if (viewer.userId) query.assignedTo = viewer.userId;
  } else if (filters.assignee === MINE_OR_UNASSIGNED) {
    // A value of the BFF's own, which walks both lists and merges them (docs/api.md).
    if (viewer.userId) query.assignedTo = MINE_OR_UNASSIGNED;
  } else if (filters.assignee === 'unassigned') {
    // An empty value is how the API says "explicitly unassigned".
    query.assignedTo = '';
  } else if (filters.assignee !== 'anyone') {
    query.assignedTo = filters.assignee;
  }
  if (filters.customer === 'none') query.expressCustomerId = '';
  else if (filters.customer !== 'any') query.expressCustomerId = filters.customer;
  if (!filters.includeCancelled) query.isCancelled = false;
  return query;
}

/**
 * The list API's filters of the first group this person sees at this address (`search`, the URL's
 * query): the most urgent group the filters show, or undefined when they show none. The SPA asks for
 * it before anything else, and the BFF puts it in the page it serves, so both use this one reading.
 */
export function firstGroupFilters(viewer: Viewer, search: string): StudyListFilters | undefined {
  return shownGroupFilters(viewer, search)[0];
}

/**
 * The list API's filters of every group this person sees at this address, most urgent first (the
 * first is {@link firstGroupFilters}'s). The BFF puts each group's first page in the page it serves,
 * so a search whose first group has no match still shows its first rows without a request.
 */
export function shownGroupFilters(viewer: Viewer, search: string): StudyListFilters[] {
  const filters = parseFilters(new URLSearchParams(search), viewer);
  return SEVERITIES.filter((severity) => filters.groups.includes(severity)).map((severity) =>
    toListFilters(filters, severity, viewer),
  );
}
