/**
 * The worklist's search and its filters beyond the list API's (docs/decisions/032): one search text
 * that finds a study by patient name, patient ID (MRN), accession number, Study Instance UID or
 * description, a modality, a study-date range and "overdue". The list API has none of them, so the
 * BFF applies them to the pages it walks (src/bff/routes/api/studies/search-walk.ts); the mock API
 * and the SPA's live list read the same definitions here. Pure: no I/O, nothing on import.
 */
import type { Study } from './avara-types.ts';
import { DEFAULT_SLA_TARGETS, isOverdue, minutesWaiting, type SlaTargets } from './sla.ts';
import type { PacsStudyContext } from './worklist-api.ts';

/** The BFF's own query parameters of `GET /api/studies` (besides the list API's). */
export const SEARCH_QUERY = {
  search: 'search',
  modality: 'modality',
  studyDateFrom: 'studyDateFrom',
  studyDateTo: 'studyDateTo',
  overdue: 'overdue',
  critical: 'critical',
} as const;

export const SEARCH_TEXT_MAX = 200;
const MODALITY = /^[A-Z0-9]{1,16}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What a search asks for; every part present must match. */
export interface StudySearch {
  /** Free text, trimmed, at most SEARCH_TEXT_MAX characters. */
  text?: string;
  /** A DICOM modality (CT, MR, …), upper case. */
  modality?: string;
  /** ISO dates (YYYY-MM-DD), inclusive. */
  studyDateFrom?: string;
  studyDateTo?: string;
  /** Only unread, not cancelled studies that waited their severity's target. */
  overdue?: boolean;
  /**
   * Only studies with a critical result nobody has acknowledged: judged by the BFF from its own
   * records (src/bff/reports/), so the walk is given the set of such studies (search-walk.ts).
   */
  critical?: boolean;
}

export interface SearchIssue {
  in: 'query';
  name: string;
  message: string;
}

function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

/** Whether a query names any of the search parameters (then the BFF walks and filters). */
export function hasSearchParameters(query: Readonly<Record<string, unknown>>): boolean {
  return Object.values(SEARCH_QUERY).some((name) => query[name] !== undefined);
}

/**
 * The search a query asks for, and the rest of the query (the list API's parameters) untouched;
 * issues for a value it cannot take. An empty value means "not asked".
 */
export function parseSearchQuery(query: Readonly<Record<string, unknown>>): {
  search: StudySearch;
  rest: Record<string, unknown>;
  issues: SearchIssue[];
} {
  const rest: Record<string, unknown> = {};
  const names = new Set<string>(Object.values(SEARCH_QUERY));
  for (const [name, value] of Object.entries(query)) if (!names.has(name)) rest[name] = value;
  const issues: SearchIssue[] = [];
  const search: StudySearch = {};
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      issues.push({ in: 'query', name, message: 'must be given once, as text' });
      return undefined;
    }
    return value.trim() === '' ? undefined : value.trim();
  };
  const searchText = text(SEARCH_QUERY.search);
  if (searchText !== undefined) {
    if (searchText.length > SEARCH_TEXT_MAX)
      issues.push({ in: 'query', name: SEARCH_QUERY.search, message: `must be at most ${SEARCH_TEXT_MAX} characters` });
    else search.text = searchText;
  }
  const modality = text(SEARCH_QUERY.modality);
  if (modality !== undefined) {
    if (!MODALITY.test(modality.toUpperCase()))
      issues.push({ in: 'query', name: SEARCH_QUERY.modality, message: 'must be a DICOM modality such as CT or MR' });
    else search.modality = modality.toUpperCase();
  }
  for (const name of [SEARCH_QUERY.studyDateFrom, SEARCH_QUERY.studyDateTo] as const) {
    const value = text(name);
    if (value === undefined) continue;
    if (!isIsoDate(value)) issues.push({ in: 'query', name, message: 'must be a date, YYYY-MM-DD' });
    else search[name] = value;
  }
  if (search.studyDateFrom && search.studyDateTo && search.studyDateFrom > search.studyDateTo) {
    issues.push({ in: 'query', name: SEARCH_QUERY.studyDateTo, message: 'must not be before studyDateFrom' });
  }
  const overdue = text(SEARCH_QUERY.overdue);
  if (overdue !== undefined) {
    if (overdue !== 'true' && overdue !== 'false')
      issues.push({ in: 'query', name: SEARCH_QUERY.overdue, message: 'must be true or false' });
    else if (overdue === 'true') search.overdue = true;
  }
  const critical = text(SEARCH_QUERY.critical);
  if (critical !== undefined) {
    if (critical !== 'true' && critical !== 'false')
      issues.push({ in: 'query', name: SEARCH_QUERY.critical, message: 'must be true or false' });
    else if (critical === 'true') search.critical = true;
  }
  return { search, rest, issues };
}

/** Whether a search asks for anything at all. */
export function isEmptySearch(search: StudySearch): boolean {
  return (
    search.text === undefined &&
    search.modality === undefined &&
    search.studyDateFrom === undefined &&
    search.studyDateTo === undefined &&
    search.overdue !== true &&
    search.critical !== true
  );
}

/** Whether judging the search needs what only the PACS knows (patient, modality, study date). */
export function searchNeedsPacs(search: StudySearch): boolean {
  return (
    search.text !== undefined ||
    search.modality !== undefined ||
    search.studyDateFrom !== undefined ||
    search.studyDateTo !== undefined
  );
}

/** Lower case without accents ("Müller" and "MULLER" read alike); `ß` reads as `ss`. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replaceAll('ß', 'ss');
}

/** The words of a name or a search: letters and digits, split at anything else (`^`, commas, spaces). */
export function searchWords(text: string): string[] {
  return foldForSearch(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
}

/** Every word of the search starts a word of the name, in any order: "jane doe" finds "DOE^JANE^M". */
export function nameMatches(name: string, text: string): boolean {
  const wanted = searchWords(text);
  if (wanted.length === 0) return false;
  const words = searchWords(name);
  return wanted.every((word) => words.some((candidate) => candidate.startsWith(word)));
}

/** An identifier (MRN, accession, UID) matches whole, ignoring case and the spaces around it. */
function sameIdentifier(value: string | undefined | null, text: string): boolean {
  return typeof value === 'string' && value.trim() !== '' && foldForSearch(value.trim()) === foldForSearch(text.trim());
}

/** What is known of a study's images: the PACS's context when it has the study. */
export type KnownContext = Extract<PacsStudyContext, { found: true }> | undefined;

/** Whether the search text finds the study: description (contains), patient name (words), or an identifier (whole). */
export function textMatches(study: Study, context: KnownContext, text: string): boolean {
  if (foldForSearch(study.studyDescription).includes(foldForSearch(text))) return true;
  if (sameIdentifier(study.studyInstanceUid, text)) return true;
  if (context) {
    if (nameMatches(context.patientName, text)) return true;
    if (sameIdentifier(context.patientId, text) || sameIdentifier(context.accessionNumber, text)) return true;
  }
  // What the worklist itself knows: metadata values (accession number, MRN, …), whole.
  return Object.values(study.metadata ?? {}).some((value) => sameIdentifier(value, text));
}

/** The study's modalities: the PACS's, else the worklist's metadata. */
function modalitiesOf(study: Study, context: KnownContext): string[] {
  if (context) return context.modalities.map((modality) => modality.toUpperCase());
  const own = study.metadata?.modality;
  return own ? [own.toUpperCase()] : [];
}

/** The study date: the PACS's, else the (UTC) day the study reached the worklist. */
function studyDateOf(study: Study, context: KnownContext): string | null {
  if (context) return context.studyDate;
  return study.createdAt ? study.createdAt.slice(0, 10) : null;
}

/** Whether a study is unread, not cancelled, and waited its severity's target at `now`. */
export function studyIsOverdue(
  study: Study,
  now: number,
  targets: Readonly<SlaTargets> = DEFAULT_SLA_TARGETS,
): boolean {
  if (study.isCancelled || study.studyViewerStatus === 'complete') return false;
  const minutes = minutesWaiting(study.createdAt, now);
  return minutes !== null && isOverdue(minutes, study.severity, targets);
}

/** Whether the study matches every part of the search; `context` is the PACS's when it has the study. */
export function studyMatchesSearch(
  study: Study,
  context: KnownContext,
  search: StudySearch,
  now: number,
  targets: Readonly<SlaTargets> = DEFAULT_SLA_TARGETS,
): boolean {
  if (search.overdue && !studyIsOverdue(study, now, targets)) return false;
  if (search.modality && !modalitiesOf(study, context).includes(search.modality)) return false;
  if (search.studyDateFrom || search.studyDateTo) {
    const date = studyDateOf(study, context);
    if (date === null) return false;
    if (search.studyDateFrom && date < search.studyDateFrom) return false;
    if (search.studyDateTo && date > search.studyDateTo) return false;
  }
  if (search.text !== undefined && !textMatches(study, context, search.text)) return false;
  return true;
}
