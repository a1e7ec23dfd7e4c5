import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { SEVERITIES, type Study } from '../../../../contract/avara-types.ts';
import type { Person } from '../../../../contract/worklist-api.ts';
import { BUTTON } from '../../../components/button-styles.ts';
import { SeverityBadge } from '../../../components/severity-badge.tsx';
import { formatPersonName } from '../../../lib/format.ts';
import { SEVERITY_LABEL } from '../../../lib/severity-label.ts';
import { useUsers } from '../../../lib/people/get-users.ts';
import { readsStudies } from '../../../lib/people/readers.ts';
import type { StudySelection } from '../../../lib/studies/study-selection.ts';
import { invalidateStudies, loadedStudies, sendStudyChange } from '../api/send-study-change.ts';
import { describeAction, runBulkChange, summarize, unchangedReason } from '../lib/bulk-change.ts';
import type { BulkAction, StudyOutcome } from '../lib/bulk-change.ts';
import { applyGesture, keepOnly } from '../lib/selection-gestures.ts';

export interface BulkLayerProps {
  selection: StudySelection;
}

type Step =
  | { kind: 'choose' }
  /** The studies as they were when the person confirmed: their versions are the If-Match. */
  | { kind: 'confirm'; action: BulkAction; studies: Study[] }
  | { kind: 'running'; action: BulkAction; done: number; total: number }
  | { kind: 'result'; action: BulkAction; outcomes: StudyOutcome[] };

/**
 * What the worklist shows once a coordinator selects rows: the bulk bar (assign, severity, read,
 * unread, cancel), its confirmation naming how many and which, the run, and what happened to each
 * study. Also the inline assignee picker of a single row. Loaded on the first selection.
 */
export function BulkLayer({ selection }: BulkLayerProps) {
  const state = useSyncExternalStore(selection.subscribe, selection.get);
  const roster = useUsers().data;
  const readers = useMemo(() => (roster ?? []).filter(readsStudies), [roster]);
  const queryClient = useQueryClient();
  // The selected studies as the loaded lists hold them now (re-read whenever the lists change).
  const listsVersion = useSyncExternalStore(
    (listener) => queryClient.getQueryCache().subscribe(listener),
    () =>
      queryClient
        .getQueryCache()
        .getAll()
        .reduce((sum, query) => sum + query.state.dataUpdatedAt, 0),
  );
  const byId = useMemo(() => loadedStudies(queryClient, listsVersion), [queryClient, listsVersion]);
  const studyById = (studyId: string) => byId.get(studyId);
  // After a change the lists refresh (the live stream brings each study's change as well).
  const onChanged = () => void invalidateStudies(queryClient);
  // From now on this layer answers the rows' gestures (and the ones made while it loaded).
  useEffect(() => selection.install((gesture) => selection.set(applyGesture(selection.get(), gesture))), [selection]);
  return (
    <>
      <BulkBar selection={selection} ids={state.ids} studyById={studyById} readers={readers} onChanged={onChanged} />
      {state.inlineAssign ? (
        <InlineAssign
          key={state.inlineAssign.studyId}
          study={studyById(state.inlineAssign.studyId)}
          anchor={state.inlineAssign.anchor}
          readers={readers}
          onClose={() => selection.set({ ...selection.get(), inlineAssign: null })}
          onChanged={onChanged}
        />
      ) : null}
    </>
  );
}

function personName(person: Person): string {
  return formatPersonName(person) || person.email;
}

function BulkBar({
  selection,
  ids,
  studyById,
  readers,
  onChanged,
}: {
  selection: StudySelection;
  ids: ReadonlySet<string>;
  studyById: (studyId: string) => Study | undefined;
  readers: readonly Person[];
  onChanged: () => void;
}) {
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const headingId = useId();
  const selected = [...ids].flatMap((id) => {
    const study = studyById(id);
    return study ? [study] : [];
  });
  if (selected.length === 0 && step.kind === 'choose') return null;

  const clear = () => selection.set(keepOnly(selection.get(), []));
  const ask = (action: BulkAction) => setStep({ kind: 'confirm', action, studies: selected });
  const run = async (action: BulkAction, studies: Study[]) => {
    setStep({ kind: 'running', action, done: 0, total: studies.length });
    const outcomes = await runBulkChange(studies, action, (study, request) => sendStudyChange(study, request), {
      onProgress: (done, total) => setStep({ kind: 'running', action, done, total }),
    });
    // The ones that did not change stay selected, to try again or to look at.
    selection.set(
      keepOnly(
        selection.get(),
        outcomes.filter((outcome) => outcome.status === 'failed').map((outcome) => outcome.studyId),
      ),
    );
    setStep({ kind: 'result', action, outcomes });
    onChanged();
  };

  return (
    <section
      aria-labelledby={headingId}
      className="shrink-0 rounded-md border border-border bg-panel-raised px-4 py-3"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        if (step.kind === 'confirm' || step.kind === 'result') setStep({ kind: 'choose' });
        else if (step.kind === 'choose') clear();
      }}
    >
      <h2 id={headingId} className="sr-only">
        Bulk actions
      </h2>
      {step.kind === 'choose' ? (
        <ActionBar count={selected.length} readers={readers} onAction={ask} onClear={clear} />
      ) : null}
      {step.kind === 'confirm' ? (
        <Confirmation
          action={step.action}
          studies={step.studies}
          onConfirm={() => void run(step.action, step.studies)}
          onBack={() => setStep({ kind: 'choose' })}
        />
      ) : null}
      {step.kind === 'running' ? (
        <p role="status" className="text-sm">
          {describeAction(step.action, step.total)}: {step.done} of {step.total} done…
        </p>
      ) : null}
      {step.kind === 'result' ? (
        <BulkResult outcomes={step.outcomes} onDone={() => setStep({ kind: 'choose' })} />
      ) : null}
    </section>
  );
}

const SELECT =
  'rounded border border-border bg-surface px-2 py-1.5 text-sm text-fg focus:border-accent focus:outline-none';

function ActionBar({
  count,
  readers,
  onAction,
  onClear,
}: {
  count: number;
  readers: readonly Person[];
  onAction: (action: BulkAction) => void;
  onClear: () => void;
}) {
  const countRef = useRef<HTMLParagraphElement>(null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <p ref={countRef} role="status" className="mr-2 text-sm font-semibold">
        {count} {count === 1 ? 'study' : 'studies'} selected
      </p>
      <label className="sr-only" htmlFor="bulk-assign">
        Assign the selected studies to
      </label>
      <select
        id="bulk-assign"
        value=""
        className={SELECT}
        onChange={(event) => {
          const person = readers.find((candidate) => candidate.userId === event.target.value);
          if (person) onAction({ kind: 'assign', userId: person.userId, name: personName(person) });
        }}
      >
        <option value="">Assign to…</option>
        {readers.map((person) => (
          <option key={person.userId} value={person.userId}>
            {personName(person)}
          </option>
        ))}
      </select>
      <label className="sr-only" htmlFor="bulk-severity">
        Set the severity of the selected studies
      </label>
      <select
        id="bulk-severity"
        value=""
        className={SELECT}
        onChange={(event) => {
          const severity = SEVERITIES.find((choice) => choice === event.target.value);
          if (severity) onAction({ kind: 'severity', severity });
        }}
      >
        <option value="">Severity…</option>
        {SEVERITIES.map((severity) => (
          <option key={severity} value={severity}>
            {SEVERITY_LABEL[severity]}
          </option>
        ))}
      </select>
      <button type="button" className={BUTTON.secondary} onClick={() => onAction({ kind: 'read' })}>
        Mark read
      </button>
      <button type="button" className={BUTTON.secondary} onClick={() => onAction({ kind: 'unread' })}>
        Mark unread
      </button>
      <button type="button" className={BUTTON.danger} onClick={() => onAction({ kind: 'cancel' })}>
        Cancel studies…
      </button>
      <button type="button" className={`${BUTTON.quiet} ml-auto`} onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}

function Confirmation({
  action,
  studies,
  onConfirm,
  onBack,
}: {
  action: BulkAction;
  studies: Study[];
  onConfirm: () => void;
  onBack: () => void;
}) {
  const titleId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const sent = studies.filter((study) => !unchangedReason(study, action));
  const left = studies.length - sent.length;
  useEffect(() => {
    confirmRef.current?.focus();
  }, []);
  return (
    <div
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={`${titleId}-list`}
      className="mx-auto max-w-4xl"
    >
      <p id={titleId} className="font-semibold">
        {describeAction(action, sent.length)}?
        {left > 0 ? (
          <span className="ml-2 text-sm font-normal text-fg-muted">
            {left} of the selected are left as they are (said below).
          </span>
        ) : null}
      </p>
      <ul
        id={`${titleId}-list`}
        aria-label="The selected studies"
        className="mt-2 max-h-40 overflow-y-auto rounded border border-border bg-panel text-sm"
      >
        {studies.map((study) => {
          const unchanged = unchangedReason(study, action);
          return (
            <li
              key={study.studyId}
              className="flex items-center gap-2 border-b border-border/60 px-2 py-1 last:border-b-0"
            >
              <SeverityBadge severity={study.severity} />
              <span className="min-w-0 flex-1 truncate">{study.studyDescription}</span>
              <span className="shrink-0 text-xs text-fg-muted">
                {unchanged ??
                  (study.assignedTo
                    ? `now ${formatPersonName(study.assignedTo) || study.assignedTo.email}`
                    : 'now unassigned')}
              </span>
            </li>
          );
        })}
      </ul>
      <div className="mt-3 flex flex-wrap gap-2">
        <button
          ref={confirmRef}
          type="button"
          disabled={sent.length === 0}
          onClick={onConfirm}
          className={action.kind === 'cancel' ? BUTTON.danger : BUTTON.primary}
        >
          {describeAction(action, sent.length)}
        </button>
        <button type="button" onClick={onBack} className={BUTTON.secondary}>
          Back
        </button>
      </div>
    </div>
  );
}

function BulkResult({ outcomes, onDone }: { outcomes: StudyOutcome[]; onDone: () => void }) {
  const notChanged = outcomes.filter((outcome) => outcome.status !== 'changed');
  const doneRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    doneRef.current?.focus();
  }, []);
  const failed = notChanged.filter((outcome) => outcome.status === 'failed').length;
  return (
    <div className="mx-auto max-w-4xl">
      <p role="status" className="font-semibold">
        {summarize(outcomes)}.
        {failed > 0 ? (
          <span className="ml-2 text-sm font-normal text-fg-muted">The {failed} not changed stay selected.</span>
        ) : null}
      </p>
      {notChanged.length > 0 ? (
        <ul
          aria-label="Studies not changed"
          className="mt-2 max-h-40 overflow-y-auto rounded border border-border bg-panel text-sm"
        >
          {notChanged.map((outcome) => (
            <li
              key={outcome.studyId}
              data-outcome={outcome.status}
              className="border-b border-border/60 px-2 py-1 last:border-b-0"
            >
              <span className="font-medium">{outcome.description}</span>:{' '}
              <span className={outcome.status === 'failed' ? 'text-danger-fg' : 'text-fg-muted'}>
                {'reason' in outcome ? outcome.reason : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <button ref={doneRef} type="button" onClick={onDone} className={`${BUTTON.secondary} mt-3`}>
        Done
      </button>
    </div>
  );
}

/** The assignee picker of one row, beside its Assign button: choosing a reader assigns at once. */
function InlineAssign({
  study,
  anchor,
  readers,
  onClose,
  onChanged,
}: {
  study: Study | undefined;
  anchor: DOMRect;
  readers: readonly Person[];
  onClose: () => void;
  onChanged: () => void;
}) {
  const titleId = useId();
  const selectRef = useRef<HTMLSelectElement>(null);
  const [outcome, setOutcome] = useState<StudyOutcome | 'running' | undefined>(undefined);
  useEffect(() => {
    selectRef.current?.focus();
  }, []);
  if (!study) return null;
  // Below the button, or above it when the window ends first.
  const below = anchor.bottom + 180 < window.innerHeight;
  const position = below ? { top: anchor.bottom + 4 } : { bottom: window.innerHeight - anchor.top + 4 };
  const assign = async (person: Person) => {
    setOutcome('running');
    const [result] = await runBulkChange(
      [study],
      { kind: 'assign', userId: person.userId, name: personName(person) },
      (target, request) => sendStudyChange(target, request),
    );
    onChanged();
    if (result?.status === 'changed') onClose();
    else setOutcome(result);
  };
  return (
    <div
      role="dialog"
      aria-labelledby={titleId}
      className="fixed z-50 w-72 rounded-md border border-border bg-panel p-3 shadow-lg"
      style={{ left: Math.min(anchor.left, window.innerWidth - 300), ...position }}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      <p id={titleId} className="truncate text-sm font-semibold">
        Assign {study.studyDescription}
      </p>
      <label htmlFor={`${titleId}-reader`} className="mt-2 block text-xs text-fg-muted">
        Radiologist
      </label>
      <select
        ref={selectRef}
        id={`${titleId}-reader`}
        value=""
        disabled={outcome === 'running'}
        className={`${SELECT} mt-1 w-full`}
        onChange={(event) => {
          const person = readers.find((candidate) => candidate.userId === event.target.value);
          if (person) void assign(person);
        }}
      >
        <option value="">Choose…</option>
        {readers.map((person) => (
          <option key={person.userId} value={person.userId}>
            {personName(person)}
            {study.assignedTo?.userId === person.userId ? ' (assigned now)' : ''}
          </option>
        ))}
      </select>
      {outcome && outcome !== 'running' && outcome.status !== 'changed' ? (
        <p role="alert" className="mt-2 text-sm text-danger-fg">
          {outcome.reason}
        </p>
      ) : null}
      <button type="button" onClick={onClose} className={`${BUTTON.quiet} mt-2`}>
        Close
      </button>
    </div>
  );
}
