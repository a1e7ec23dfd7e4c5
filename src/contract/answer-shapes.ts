import type { RerouteUrlResponse, Study, StudyListPage, SuccessResponse, User, UserListPage } from './avara-types.ts';
import { NEXT_STEPS, type NextStudyAnswer } from './worklist-api.ts';
import type { ReadingLease } from './worklist-events.ts';

/*
 * Cheap shape checks of the contract's success bodies, for the BFF (every upstream answer) and the
 * SPA (every page it renders). They check what a reader relies on without guarding: the required
 * fields of a study with their types and enum values, the page's list and `hasMore`. They are not
 * the full schema (formats, lengths, nested references are left to the contract tests), so a check
 * costs microseconds on a page of 100 studies; see docs/decisions/010.
 */

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isText = (value: unknown) => typeof value === 'string';

/** An object whose `names` are all strings: the least a small answer (a customer, a reference) must be. */
export function hasTextFields<Name extends string>(value: unknown, ...names: Name[]): value is Record<Name, string> {
  return isFields(value) && names.every((name) => isText(value[name]));
}
const isTextOrNull = (value: unknown) => value === null || typeof value === 'string';
/** Optional object members (assignedTo, org, metadata, …): absent, null or an object. */
const isOptionalObject = (value: unknown) => value === undefined || value === null || isFields(value);

function isStudyFields(study: Fields): boolean {
  return (
    isText(study.studyId) &&
    isText(study.studyInstanceUid) &&
    isText(study.studyDescription) &&
    (study.severity === 'stat' || study.severity === 'high' || study.severity === 'normal') &&
    (study.studyViewerStatus === 'incomplete' || study.studyViewerStatus === 'complete') &&
    typeof study.isCancelled === 'boolean' &&
    isTextOrNull(study.createdAt) &&
    isTextOrNull(study.updatedAt) &&
    isTextOrNull(study.cancelledAt) &&
    isOptionalObject(study.assignedTo) &&
    isOptionalObject(study.createdByApiKey) &&
    isOptionalObject(study.createdByUser) &&
    isOptionalObject(study.expressCustomer) &&
    isOptionalObject(study.org) &&
    isOptionalObject(study.metadata)
  );
}

/** A study with its required fields. */
export function isStudy(value: unknown): value is Study {
  return isFields(value) && isStudyFields(value);
}

function isPage(value: unknown, list: 'studies' | 'users', isEntry: (entry: unknown) => boolean): boolean {
  if (
    !isFields(value) ||
    typeof value.hasMore !== 'boolean' ||
    !(value.cursor === undefined || isTextOrNull(value.cursor))
  )
    return false;
  const entries = value[list];
  return Array.isArray(entries) && entries.every(isEntry);
}

/** `{studies, hasMore, cursor?}`, every study with its required fields. */
export function isStudyListPage(value: unknown): value is StudyListPage {
  return isPage(value, 'studies', isStudy);
}

/** A user, as far as the BFF reads one (its ID and email). */
export function isUser(value: unknown): value is User {
  return isFields(value) && isText(value.userId) && isText(value.email);
}

/**
 * `{users, hasMore, cursor?}` with objects in the list. Each user is not checked here: the people
 * directory skips one it cannot read, and one bad record must not stop everyone signing in.
 */
export function isUserListPage(value: unknown): value is UserListPage {
  return isPage(value, 'users', isFields);
}

/** Cancel and uncancel: `{success, message?}`. */
export function isSuccessResponse(value: unknown): value is SuccessResponse {
  return (
    isFields(value) &&
    typeof value.success === 'boolean' &&
    (value.message === undefined || isTextOrNull(value.message))
  );
}

/** Reroute-url: `{url}`. */
export function isRerouteUrlResponse(value: unknown): value is RerouteUrlResponse {
  return isFields(value) && isText(value.url);
}

/** A reading lease: the study, its holder (email and name; an Avara user ID or null) and its times. */
export function isReadingLease(value: unknown): value is ReadingLease {
  if (!isFields(value) || !isText(value.studyId) || !isText(value.since) || !isText(value.expiresAt)) return false;
  const holder = value.holder;
  return isFields(holder) && isText(holder.email) && isText(holder.name) && isTextOrNull(holder.userId);
}

/** POST /api/reading/next: `{study: null}`, or a study with the lease, `claimed` and a rule step. */
export function isNextStudyAnswer(value: unknown): value is NextStudyAnswer {
  if (!isFields(value)) return false;
  if (value.study === null) return true;
  return (
    isStudy(value.study) &&
    isReadingLease(value.lease) &&
    typeof value.claimed === 'boolean' &&
    NEXT_STEPS.some((step) => step === value.step)
  );
}
