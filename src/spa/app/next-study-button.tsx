import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { AppLink } from '../components/app-link.tsx';
import { actorOf, mayTakeNextStudy } from '../../contract/actor.ts';
import { readAutoAdvance, writeAutoAdvance } from '../features/reading/lib/auto-advance.ts';
import { BUTTON } from '../features/study-drawer/components/button-styles.ts';
import { useAuthConfig } from '../lib/auth/get-auth-config.ts';
import { useMe } from '../lib/auth/get-me.ts';
import { useShortcut } from '../lib/shortcuts/use-shortcut.ts';
import type { NextStudyResult } from './next-study-flow.ts';

const loadFlow = () => import('./next-study-flow.ts');

export const NEXT_STUDY_KEY = 'n';

type State = { kind: 'idle' } | { kind: 'pending' } | ({ kind: 'done' } & NextStudyResult);

interface NextStudyButtonProps {
  /** In the worklist's toolbar, or in the drawer beside the study's actions (with the auto-advance choice). */
  placement: 'toolbar' | 'drawer';
  /** The drawer's study was just marked read by this person: with auto-advance on, take the next at once. */
  markedRead?: boolean;
}

/**
 * "Next study" (key `n`): the server gives the reader the next study by rule, claimed for them; it
 * opens in the viewer (a new tab) and in the drawer. Readers only, as the permissions rule says.
 */
export function NextStudyButton({ placement, markedRead = false }: NextStudyButtonProps) {
  const me = useMe();
  const authConfig = useAuthConfig();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { search } = useLocation();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [autoAdvance, setAutoAdvance] = useState(readAutoAdvance);
  const allowed = mayTakeNextStudy(actorOf(me.data)).allowed;
  const pending = state.kind === 'pending';

  function takeNext() {
    if (pending) return;
    // Opened now, inside the click or key press, or the browser would block it as a popup.
    const tab = window.open('about:blank', '_blank');
    if (tab) tab.opener = null;
    setState({ kind: 'pending' });
    void loadFlow()
      .then(({ takeNextStudyIntoViewer }) => takeNextStudyIntoViewer(tab, authConfig.data))
      .then(
        (result) => {
          setState({ kind: 'done', ...result });
          if (result.outcome.kind !== 'study') return;
          // The claim changed the study and the lists: what is cached of them is stale.
          void queryClient.invalidateQueries({ queryKey: ['studies'] });
          void navigate({ pathname: `/studies/${result.outcome.study.studyId}`, search });
        },
        () => {
          tab?.close();
          setState({
            kind: 'done',
            outcome: { kind: 'error', text: 'Next study could not be loaded. Reload the page and try again.' },
          });
        },
      );
  }

  useShortcut({ keys: [NEXT_STUDY_KEY], label: 'Next study', group: 'Study', enabled: allowed, run: takeNext });

  const takeNextRef = useRef(takeNext);
  useLayoutEffect(() => {
    takeNextRef.current = takeNext;
  });
  useEffect(() => {
    if (markedRead && autoAdvance && allowed) takeNextRef.current();
  }, [markedRead, autoAdvance, allowed]);

  if (!allowed) return null;
  return (
    <div className={placement === 'drawer' ? 'flex flex-col gap-2' : 'flex items-center gap-2'}>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          className={placement === 'drawer' ? BUTTON.primary : BUTTON.secondary}
          onClick={takeNext}
          onPointerEnter={() => void loadFlow()}
          onFocus={() => void loadFlow()}
          aria-disabled={pending}
          aria-keyshortcuts={NEXT_STUDY_KEY}
          {...(placement === 'drawer' ? { 'data-focus-after-read': '' } : {})}
        >
          <span aria-hidden="true">→</span>
          {pending ? 'Finding the next study…' : 'Next study'}
        </button>
        {placement === 'drawer' ? (
          <label className="flex items-center gap-2 text-sm text-fg-muted">
            <input
              type="checkbox"
              checked={autoAdvance}
              onChange={(event) => {
                setAutoAdvance(event.target.checked);
                writeAutoAdvance(event.target.checked);
              }}
            />
            Take the next study right after Mark read
          </label>
        ) : null}
      </div>
      <NextStudyStatus state={state} search={search} placement={placement} />
    </div>
  );
}

function NextStudyStatus({
  state,
  search,
  placement,
}: {
  state: State;
  search: string;
  placement: NextStudyButtonProps['placement'];
}) {
  const width = placement === 'toolbar' ? 'max-w-xs' : 'max-w-md';
  if (state.kind !== 'done')
    return (
      <span role="status" className="sr-only">
        {state.kind === 'pending' ? 'Finding the next study…' : ''}
      </span>
    );
  const { outcome, viewer } = state;
  if (outcome.kind === 'none') {
    return (
      <p role="status" className={`${width} text-sm text-fg-muted`}>
        {outcome.text}
      </p>
    );
  }
  if (outcome.kind === 'busy') {
    return (
      <p role="alert" className={`${width} text-sm`}>
        {outcome.text}{' '}
        {outcome.studyIds.map((studyId) => (
          <AppLink
            key={studyId}
            to={{ pathname: `/studies/${studyId}`, search }}
            className="mr-2 font-medium text-accent underline"
          >
            Open {studyId}
          </AppLink>
        ))}
      </p>
    );
  }
  if (outcome.kind === 'error') {
    return (
      <p role="alert" className={`${width} text-sm text-danger-fg`}>
        {outcome.text}
      </p>
    );
  }
  if (viewer?.kind === 'blocked') {
    return (
      <p role="alert" className={`${width} text-sm`}>
        Your browser blocked the new tab.{' '}
        <a href={viewer.url} target="_blank" rel="noopener noreferrer" className="font-medium text-accent underline">
          Open the viewer
        </a>{' '}
        (the link expires in a few minutes).
      </p>
    );
  }
  if (viewer?.kind === 'error') {
    return (
      <p role="alert" className={`${width} text-sm text-danger-fg`}>
        {viewer.text}
      </p>
    );
  }
  return (
    <span role="status" className="sr-only">
      Next study: {outcome.study.studyDescription}, opened in the viewer.
    </span>
  );
}
