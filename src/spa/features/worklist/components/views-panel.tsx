import { useEffect, useId, useRef, useState } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import { useSearchParams, type SetURLSearchParams } from 'react-router';
import { SAVED_VIEW_LIMITS, type SavedView } from '../../../../contract/worklist-api.ts';
import { isApiError } from '../../../lib/api-client.ts';
import { savedViewsQuery, useSavedViews, useViewAction, type ViewAction } from '../api/saved-views.ts';
import { SEARCH_PARAM, writeFilters } from '../../../../contract/worklist-filters.ts';
import type { ViewState } from './views-menu.tsx';

const FILTER_NAMES = new Set<string>(Object.values(SEARCH_PARAM));
const small =
  'rounded border border-border px-2 py-0.5 text-xs font-medium text-fg hover:border-accent disabled:opacity-50';

function messageOf(error: unknown): string {
  if (isApiError(error)) return error.detail || error.title;
  return 'Something went wrong. Try again.';
}

/** The Views menu's panel: apply, save, update, rename, delete and choose the default view. */
export function ViewsPanel({ id, state, onClose }: { id: string; state: ViewState; onClose: () => void }) {
  const views = useSavedViews();
  const action = useViewAction();
  const [, setParams] = useSearchParams();
  const [name, setName] = useState('');
  const [makeDefault, setMakeDefault] = useState(false);
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const [deleting, setDeleting] = useState<string | undefined>(undefined);
  const [said, setSaid] = useState('');
  const nameId = useId();
  const headingId = useId();

  const run = (change: ViewAction, done: string, after?: () => void) =>
    action.mutate(change, {
      onSuccess: () => {
        setSaid(done);
        after?.();
      },
    });

  // The filters as the worklist writes them into its address (the server reads them back the same way).
  const content = () => ({
    filters: writeFilters(new URLSearchParams(), state.filters).toString(),
    columns: state.layout,
    collapsed: [...state.collapsed],
  });

  const apply = (view: SavedView) => {
    setParams((current) => {
      const next = new URLSearchParams(view.filters);
      // Parameters that are not filters (embed) stay as they are.
      for (const [key, value] of current) if (!FILTER_NAMES.has(key) && key !== 'view') next.set(key, value);
      return next;
    });
    if (view.columns) state.applyLayout(view.columns);
    state.setCollapsed(new Set(view.collapsed));
    onClose();
  };

  const list = views.data?.views ?? [];
  const full = list.length >= SAVED_VIEW_LIMITS.viewsPerPerson;

  return (
    <div
      id={id}
      role="group"
      aria-labelledby={headingId}
      className="absolute left-0 top-9 z-30 w-96 max-w-[calc(100vw-1rem)] rounded-md border border-border bg-panel p-3 text-sm shadow-xl"
    >
      <h2 id={headingId} className="mb-2 text-sm font-semibold">
        Your saved views
      </h2>
      {views.isPending ? <p role="status">Loading your views…</p> : null}
      {views.isError ? (
        <div role="alert" className="flex flex-col items-start gap-2 text-danger-fg">
          <p>Your saved views could not be loaded. {messageOf(views.error)}</p>
          <button type="button" className={small} onClick={() => void views.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {views.isSuccess && list.length === 0 ? (
        <p className="text-fg-muted">
          No saved views yet. Set the filters, columns and groups as you want them, then save them below under a name.
        </p>
      ) : null}
      {list.length > 0 ? (
        <ul className="mb-3 flex max-h-72 flex-col gap-1 overflow-y-auto">
          {list.map((view) => (
            <li key={view.viewId} className="flex flex-col gap-1 rounded px-1 py-1 hover:bg-panel-raised">
              {renaming === view.viewId ? (
                <RenameForm
                  view={view}
                  busy={action.isPending}
                  onCancel={() => setRenaming(undefined)}
                  onSave={(newName) =>
                    run(
                      { kind: 'update', viewId: view.viewId, input: { name: newName } },
                      `Renamed to “${newName}”.`,
                      () => setRenaming(undefined),
                    )
                  }
                />
              ) : (
                <div className="flex items-center gap-2">
                  <button
                    type="button"
                    onClick={() => apply(view)}
                    className="flex-1 truncate rounded px-1 text-left font-medium text-accent underline-offset-2 hover:underline"
                    aria-label={`Show ${view.name}${view.isDefault ? ' (your default)' : ''}`}
                  >
                    {view.name}
                  </button>
                  {view.isDefault ? (
                    <span className="rounded border border-border px-1.5 text-xs text-fg-muted">Default</span>
                  ) : null}
                </div>
              )}
              {deleting === view.viewId ? (
                <div role="group" aria-label={`Delete ${view.name}?`} className="flex items-center gap-2 text-xs">
                  <span>Delete “{view.name}”?</span>
                  <button
                    type="button"
                    className={small}
                    disabled={action.isPending}
                    onClick={() =>
                      run({ kind: 'delete', viewId: view.viewId }, `Deleted “${view.name}”.`, () =>
                        setDeleting(undefined),
                      )
                    }
                  >
                    Delete
                  </button>
                  <button type="button" className={small} onClick={() => setDeleting(undefined)}>
                    Keep
                  </button>
                </div>
              ) : renaming === view.viewId ? null : (
                <div className="flex flex-wrap gap-1 pl-1">
                  <button
                    type="button"
                    className={small}
                    disabled={action.isPending}
                    aria-label={`Save the current filters and columns into ${view.name}`}
                    onClick={() =>
                      run(
                        { kind: 'update', viewId: view.viewId, input: content() },
                        `“${view.name}” now holds the current filters and columns.`,
                      )
                    }
                  >
                    Update
                  </button>
                  <button
                    type="button"
                    className={small}
                    disabled={action.isPending}
                    aria-label={
                      view.isDefault
                        ? `Stop opening the worklist with ${view.name}`
                        : `Open the worklist with ${view.name}`
                    }
                    onClick={() =>
                      run(
                        { kind: 'default', viewId: view.isDefault ? null : view.viewId },
                        view.isDefault
                          ? 'No default view: the worklist opens with the usual filters.'
                          : `The worklist now opens with “${view.name}”.`,
                      )
                    }
                  >
                    {view.isDefault ? 'Unset default' : 'Make default'}
                  </button>
                  <button
                    type="button"
                    className={small}
                    aria-label={`Rename ${view.name}`}
                    onClick={() => setRenaming(view.viewId)}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    className={small}
                    aria-label={`Delete ${view.name}`}
                    onClick={() => setDeleting(view.viewId)}
                  >
                    Delete
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <form
        className="flex flex-col gap-2 border-t border-border pt-2"
        onSubmit={(event) => {
          event.preventDefault();
          const trimmed = name.trim();
          if (trimmed === '') return;
          run(
            { kind: 'create', input: { name: trimmed, ...content(), isDefault: makeDefault } },
            `Saved “${trimmed}”.`,
            () => {
              setName('');
              setMakeDefault(false);
            },
          );
        }}
      >
        <label htmlFor={nameId} className="text-xs font-medium text-fg-muted">
          Save the current filters, columns and groups as
        </label>
        <div className="flex gap-2">
          <input
            id={nameId}
            value={name}
            maxLength={SAVED_VIEW_LIMITS.nameLength}
            onChange={(event) => setName(event.target.value)}
            placeholder="e.g. My overdue CT"
            disabled={full}
            className="h-8 flex-1 rounded border border-border bg-surface px-2 text-sm text-fg placeholder:text-fg-muted"
          />
          <button
            type="submit"
            disabled={full || name.trim() === '' || action.isPending}
            className="h-8 rounded border border-border px-3 text-sm font-medium hover:border-accent disabled:opacity-50"
          >
            Save
          </button>
        </div>
        <label className="flex items-center gap-1.5 text-xs">
          <input
            type="checkbox"
            checked={makeDefault}
            onChange={(event) => setMakeDefault(event.target.checked)}
            disabled={full}
            className="size-3.5 accent-accent"
          />
          Open the worklist with this view
        </label>
        {full ? (
          <p className="text-xs text-fg-muted">
            You have {SAVED_VIEW_LIMITS.viewsPerPerson} views, the most you can keep: delete one to save another.
          </p>
        ) : null}
      </form>
      {action.isError ? (
        <p role="alert" className="mt-2 text-xs text-danger-fg">
          {messageOf(action.error)}
        </p>
      ) : null}
      <p role="status" className="mt-2 text-xs text-fg-muted">
        {action.isError ? '' : said}
      </p>
    </div>
  );
}

function RenameForm({
  view,
  busy,
  onSave,
  onCancel,
}: {
  view: SavedView;
  busy: boolean;
  onSave: (name: string) => void;
  onCancel: () => void;
}) {
  const [value, setValue] = useState(view.name);
  const fieldId = useId();
  return (
    <form
      className="flex items-center gap-1"
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim() !== '') onSave(value.trim());
      }}
    >
      <label htmlFor={fieldId} className="sr-only">
        New name for {view.name}
      </label>
      <input
        id={fieldId}
        // eslint-disable-next-line jsx-a11y/no-autofocus -- opened on purpose by the Rename button: the field is where the person is about to type
        autoFocus
        value={value}
        maxLength={SAVED_VIEW_LIMITS.nameLength}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onCancel();
          }
        }}
        className="h-7 flex-1 rounded border border-border bg-surface px-2 text-sm text-fg"
      />
      <button type="submit" disabled={busy || value.trim() === ''} className={small}>
        Save
      </button>
      <button type="button" onClick={onCancel} className={small}>
        Cancel
      </button>
    </form>
  );
}

/**
 * Applies the columns and folded groups of the view the server sent the person to (their default,
 * `view=` in the URL), then drops the parameter so a copied link carries the filters only.
 */
export async function applyLinkedView(
  viewId: string,
  client: QueryClient,
  state: { current: ViewState },
  setParams: SetURLSearchParams,
  signal: AbortSignal,
): Promise<void> {
  try {
    const view = (await savedViewsQuery(client)).views.find((candidate) => candidate.viewId === viewId);
    if (view && !signal.aborted) {
      if (view.columns) state.current.applyLayout(view.columns);
      state.current.setCollapsed(new Set(view.collapsed));
    }
  } catch {
    // Views unreadable: the filters (already in the URL) still apply.
  }
  if (signal.aborted) return;
  setParams(
    (previous) => {
      const next = new URLSearchParams(previous);
      next.delete('view');
      return next;
    },
    { replace: true },
  );
}

/** The worklist's address without the `view=` the server may have added. */
function currentLink(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete('view');
  return url.toString();
}

/**
 * Copy link's outcome: copies the worklist's address (its filters are in it) as it mounts, and says
 * so; when the browser refuses the clipboard, shows the link selected, to copy by hand.
 */
export function CopyLinkNotice({ onDone }: { onDone: () => void }) {
  const [outcome, setOutcome] = useState<'copying' | 'copied' | 'refused'>('copying');
  const [link] = useState(currentLink);
  const fieldRef = useRef<HTMLInputElement>(null);
  const doneRef = useRef(onDone);
  doneRef.current = onDone;
  useEffect(() => {
    let current = true;
    const copied = navigator.clipboard
      ? navigator.clipboard.writeText(link)
      : Promise.reject(new Error('No clipboard'));
    copied.then(
      () => current && setOutcome('copied'),
      () => current && setOutcome('refused'),
    );
    return () => {
      current = false;
    };
  }, [link]);
  useEffect(() => {
    if (outcome === 'refused') fieldRef.current?.select();
    if (outcome !== 'copied') return;
    const timer = window.setTimeout(() => doneRef.current(), 5_000);
    return () => window.clearTimeout(timer);
  }, [outcome]);
  return (
    <>
      <span role="status" className="text-xs font-medium text-fg-muted">
        {outcome === 'copied' ? 'Link copied: it opens this list with these filters.' : ''}
      </span>
      {outcome === 'refused' ? (
        <div
          role="group"
          aria-label="Copy the link by hand"
          className="absolute left-0 top-9 z-30 w-96 max-w-[calc(100vw-1rem)] rounded-md border border-border bg-panel p-2 text-sm shadow-xl"
        >
          <label className="flex flex-col gap-1">
            <span>The browser did not allow copying. The link is selected: press Ctrl+C (⌘C on a Mac).</span>
            <input
              ref={fieldRef}
              readOnly
              value={link}
              onFocus={(event) => event.currentTarget.select()}
              className="h-8 w-full rounded border border-border bg-surface px-2 text-sm text-fg"
            />
          </label>
          <button type="button" onClick={onDone} className={`${small} mt-2`}>
            Done
          </button>
        </div>
      ) : null}
    </>
  );
}

/** The one component the Views menu loads: the panel (with `state`), or Copy link's outcome (with `onDone`). */
export function ViewsLayer(props: { id: string; state: ViewState; onClose: () => void } | { onDone: () => void }) {
  return 'onDone' in props ? <CopyLinkNotice onDone={props.onDone} /> : <ViewsPanel {...props} />;
}
