import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import type { Severity } from '../../../../contract/avara-types.ts';
import type { ColumnLayout } from '../lib/column-layout.ts';
import type { WorklistFilters } from '../../../../contract/worklist-filters.ts';
import { useDismiss } from './use-dismiss.ts';

// Not part of the first screen: the panel and the views API load when the menu is first opened (or
// a default view is applied), the copy's confirmation when Copy link is first pressed.
const loadPanel = () => import('./views-panel.tsx');
const ViewsLayer = lazy(async () => ({ default: (await loadPanel()).ViewsLayer }));

/** What a saved view holds besides the filters in the URL, and how to apply it. */
export interface ViewState {
  /** The filters the URL holds now. */
  filters: WorklistFilters;
  layout: ColumnLayout;
  applyLayout: (saved: unknown) => void;
  collapsed: ReadonlySet<Severity>;
  setCollapsed: (collapsed: ReadonlySet<Severity>) => void;
}

/** The worklist has one Views menu. */
const PANEL_ID = 'saved-views-panel';

const buttonClass = 'h-8 rounded border border-border px-3 text-sm font-medium hover:border-accent';

/** "Views": the person's saved views (kept on the server), and "Copy link" for the list as it is now. */
export function ViewsMenu({ state }: { state: ViewState }) {
  const [open, setOpen] = useState(false);
  const [copies, setCopies] = useState(0);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const [params, setParams] = useSearchParams();
  const client = useQueryClient();
  const linked = params.get('view');
  const stateRef = useRef(state);
  stateRef.current = state;

  // The server sent the person to their default view (`view=`): its columns and groups follow.
  useEffect(() => {
    if (!linked) return;
    const abort = new AbortController();
    void loadPanel().then((module) => module.applyLinkedView(linked, client, stateRef, setParams, abort.signal));
    return () => abort.abort();
  }, [linked, client, setParams]);

  useDismiss(open, rootRef, setOpen, buttonRef);

  // One box for both controls: a press on Copy link does not close the menu.
  return (
    <div ref={rootRef} className="relative flex items-center gap-2">
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={PANEL_ID}
        onClick={() => setOpen(!open)}
        className={buttonClass}
      >
        Views
      </button>
      {open ? (
        // While the panel's code loads, in the row beside the button.
        <Suspense fallback={<span role="status">Loading views…</span>}>
          <ViewsLayer
            id={PANEL_ID}
            state={state}
            onClose={() => {
              setOpen(false);
              buttonRef.current?.focus();
            }}
          />
        </Suspense>
      ) : null}
      <button type="button" onClick={() => setCopies(copies + 1)} className={buttonClass}>
        Copy link
      </button>
      {copies > 0 ? (
        <Suspense fallback={null}>
          <ViewsLayer key={copies} onDone={() => setCopies(0)} />
        </Suspense>
      ) : null}
    </div>
  );
}
