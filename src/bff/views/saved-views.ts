import { createHash, randomBytes } from 'node:crypto';
import type { Severity } from '../../contract/avara-types.ts';
import {
  SAVED_VIEW_LIMITS,
  type SavedView,
  type SavedViewColumns,
  type SavedViewList,
} from '../../contract/worklist-api.ts';
import { MAX_KEY_LENGTH, type JsonObject, type RecordStore, type StoredRecord } from '../shared-state/shared-state.ts';

/** The record namespace: one record per person, holding all of their views and which is the default. */
export const SAVED_VIEWS_NAMESPACE = 'saved-views';
/** At most this many views per person. */
export const MAX_VIEWS_PER_PERSON = SAVED_VIEW_LIMITS.viewsPerPerson;

/** What a view is made of, checked (view-input.ts) before it gets here. */
export interface ViewContent {
  name: string;
  filters: string;
  columns: SavedViewColumns | null;
  collapsed: Severity[];
}

export type ViewChange = Partial<ViewContent>;

export type ViewFailure = 'not-found' | 'too-many' | 'name-taken';
export type ViewResult<T> = { ok: true; value: T } | { ok: false; reason: ViewFailure };

/**
 * A person's saved views (named filters, columns and collapsed groups), kept in the shared store so
 * every BFF instance sees the same and they outlive a restart. Everything is keyed by the signed-in
 * person's subject, never by anything the request names, so nobody reaches another person's views.
 * Each change is one read-change-write of the person's record (`records.update`), so two tabs saving
 * at once lose nothing.
 */
export interface SavedViews {
  list(owner: string): Promise<SavedViewList>;
  create(owner: string, content: ViewContent, options?: { makeDefault?: boolean }): Promise<ViewResult<SavedView>>;
  update(owner: string, viewId: string, change: ViewChange): Promise<ViewResult<SavedView>>;
  remove(owner: string, viewId: string): Promise<ViewResult<null>>;
  /** Makes the view the person's default, or (null) leaves them without one. */
  setDefault(owner: string, viewId: string | null): Promise<ViewResult<SavedViewList>>;
}

interface PersonViews {
  views: SavedView[];
  defaultViewId: string | null;
}

const EMPTY: PersonViews = { views: [], defaultViewId: null };

/** The record's key: the subject itself, or its digest when it is too long to be a key. */
export function ownerKey(subject: string): string {
  return subject.length > 0 && subject.length <= MAX_KEY_LENGTH - 4
    ? `sub:${subject}`
    : `sha:${createHash('sha256').update(subject).digest('hex')}`;
}

function newViewId(): string {
  return `viw_${randomBytes(12).toString('hex')}`;
}

function sameName(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a stored record back; anything that is not what this module writes counts as no views. */
function read(record: StoredRecord | undefined): PersonViews {
  if (!record) return EMPTY;
  const { views, defaultViewId } = record.value;
  if (!Array.isArray(views)) return EMPTY;
  const kept = views.filter(
    (view): view is SavedView & JsonObject =>
      isRecord(view) && typeof view.viewId === 'string' && typeof view.name === 'string',
  );
  const known = typeof defaultViewId === 'string' && kept.some((view) => view.viewId === defaultViewId);
  return { views: kept, defaultViewId: known ? defaultViewId : null };
}

function write(state: PersonViews): JsonObject {
  // SavedView is plain JSON by construction (strings, numbers, booleans, arrays and records of them).
  return { views: state.views, defaultViewId: state.defaultViewId };
}

function listOf(state: PersonViews): SavedViewList {
  return {
    views: state.views.map((view) => ({ ...view, isDefault: view.viewId === state.defaultViewId })),
    defaultViewId: state.defaultViewId,
  };
}

export function createSavedViews(records: RecordStore, now: () => number = Date.now): SavedViews {
  /** Runs one change of a person's record; `change` answers the new state or a failure. */
  async function change<T>(
    owner: string,
    apply: (state: PersonViews) => { state: PersonViews; value: T } | ViewFailure,
  ): Promise<ViewResult<T>> {
    let outcome: ViewResult<T> = { ok: false, reason: 'not-found' };
    await records.update(SAVED_VIEWS_NAMESPACE, ownerKey(owner), (current) => {
      const result = apply(read(current));
      if (typeof result === 'string') {
        outcome = { ok: false, reason: result };
        return undefined;
      }
      outcome = { ok: true, value: result.value };
      return write(result.state);
    });
    return outcome;
  }

  return {
    async list(owner) {
      return listOf(read(await records.get(SAVED_VIEWS_NAMESPACE, ownerKey(owner))));
    },

    create(owner, content, { makeDefault = false } = {}) {
      return change(owner, (state) => {
        if (state.views.length >= MAX_VIEWS_PER_PERSON) return 'too-many';
        if (state.views.some((view) => sameName(view.name, content.name))) return 'name-taken';
        const at = new Date(now()).toISOString();
        const view: SavedView = {
          viewId: newViewId(),
          ...content,
          isDefault: makeDefault,
          createdAt: at,
          updatedAt: at,
        };
        const defaultViewId = makeDefault ? view.viewId : state.defaultViewId;
        return { state: { views: [...state.views, withoutFlag(view)], defaultViewId }, value: view };
      });
    },

    update(owner, viewId, patch) {
      return change(owner, (state) => {
        const existing = state.views.find((view) => view.viewId === viewId);
        if (!existing) return 'not-found';
        if (
          patch.name !== undefined &&
          state.views.some((view) => view.viewId !== viewId && sameName(view.name, patch.name ?? ''))
        )
          return 'name-taken';
        const updated: SavedView = { ...existing, ...patch, updatedAt: new Date(now()).toISOString() };
        const views = state.views.map((view) => (view.viewId === viewId ? withoutFlag(updated) : view));
        return { state: { ...state, views }, value: { ...updated, isDefault: state.defaultViewId === viewId } };
      });
    },

    remove(owner, viewId) {
      return change(owner, (state) => {
        if (!state.views.some((view) => view.viewId === viewId)) return 'not-found';
        const views = state.views.filter((view) => view.viewId !== viewId);
        return {
          state: { views, defaultViewId: state.defaultViewId === viewId ? null : state.defaultViewId },
          value: null,
        };
      });
    },

    setDefault(owner, viewId) {
      return change(owner, (state) => {
        if (viewId !== null && !state.views.some((view) => view.viewId === viewId)) return 'not-found';
        const next = { ...state, defaultViewId: viewId };
        return { state: next, value: listOf(next) };
      });
    },
  };
}

/** Stored without `isDefault`: the record's `defaultViewId` is the one place that says it. */
function withoutFlag(view: SavedView): SavedView {
  const { isDefault: _isDefault, ...rest } = view;
  return { ...rest, isDefault: false };
}

/** Parameters of the worklist's address that are not filters: they do not stop the default view. */
const NOT_FILTERS = new Set(['embed', 'view']);

/**
 * Where the worklist page should send a signed-in person who opened it with no filters in its
 * address: the address of their default view (its filters, `view=` naming it so the page applies its
 * columns and groups too, and any other parameter such as `embed` kept), or undefined to show the
 * page as asked. A shared store that cannot be read shows the page as asked.
 */
export async function defaultViewAddress(
  views: Pick<SavedViews, 'list'>,
  request: {
    user?: { subject: string } | null | undefined;
    url: string;
    log: { warn(object: object, message: string): void };
  },
): Promise<string | undefined> {
  if (!request.user) return undefined;
  const [path = '/', query = ''] = request.url.split('?');
  const params = new URLSearchParams(query);
  if ([...params.keys()].some((name) => !NOT_FILTERS.has(name))) return undefined;
  if (params.has('view')) return undefined;
  let list: SavedViewList;
  try {
    list = await views.list(request.user.subject);
  } catch (error) {
    request.log.warn({ err: error }, 'saved views unreadable: the worklist opens without the default view');
    return undefined;
  }
  const view = list.views.find((candidate) => candidate.viewId === list.defaultViewId);
  if (!view) return undefined;
  const target = new URLSearchParams(view.filters);
  for (const [name, value] of params) target.set(name, value);
  target.set('view', view.viewId);
  return `${path}?${target.toString()}`;
}
