/**
 * A bulk change of studies: what each kind sends, which studies it would not change (and why, so
 * none is skipped silently), how each study's answer reads, and the run itself, study by study, each
 * through the same route and rules as a single edit (docs/decisions/033). Pure: the sending is given.
 */
import type { Severity, Study } from '../../../../contract/avara-types.ts';
import { isApiError } from '../../../lib/api-client.ts';
import { SEVERITY_LABEL } from '../../../lib/severity-label.ts';

export type BulkAction =
  | { kind: 'assign'; userId: string; name: string }
  | { kind: 'severity'; severity: Severity }
  | { kind: 'read' }
  | { kind: 'unread' }
  | { kind: 'cancel' };

/** What one study's change sends: a PATCH body, or the cancel route. Both carry the confirmed version. */
export type StudyRequest = { method: 'PATCH'; body: Record<string, unknown> } | { method: 'cancel' };

export function requestFor(action: BulkAction): StudyRequest {
  switch (action.kind) {
    case 'assign':
      return { method: 'PATCH', body: { assignedTo: action.userId } };
    case 'severity':
      return { method: 'PATCH', body: { severity: action.severity } };
    case 'read':
      return { method: 'PATCH', body: { studyViewerStatus: 'complete' } };
    case 'unread':
      return { method: 'PATCH', body: { studyViewerStatus: 'incomplete' } };
    case 'cancel':
      return { method: 'cancel' };
  }
}

/** Why this study is left as it is (it already is so, or it is cancelled); undefined when it is sent. */
export function unchangedReason(study: Study, action: BulkAction): string | undefined {
  if (study.isCancelled) return action.kind === 'cancel' ? 'Already cancelled.' : 'Cancelled: restore it first.';
  switch (action.kind) {
    case 'assign':
      return study.assignedTo?.userId === action.userId ? `Already assigned to ${action.name}.` : undefined;
    case 'severity':
      return study.severity === action.severity ? `Already ${SEVERITY_LABEL[action.severity]}.` : undefined;
    case 'read':
      return study.studyViewerStatus === 'complete' ? 'Already read.' : undefined;
    case 'unread':
      return study.studyViewerStatus === 'incomplete' ? 'Already unread.' : undefined;
    case 'cancel':
      return undefined;
  }
}

/** The action in words, for the confirmation's question and button: "Assign 10 studies to Ada Chen". */
export function describeAction(action: BulkAction, count: number): string {
  const studies = `${count} ${count === 1 ? 'study' : 'studies'}`;
  switch (action.kind) {
    case 'assign':
      return `Assign ${studies} to ${action.name}`;
    case 'severity':
      return `Set ${studies} to ${SEVERITY_LABEL[action.severity]}`;
    case 'read':
      return `Mark ${studies} read`;
    case 'unread':
      return `Mark ${studies} unread`;
    case 'cancel':
      return `Cancel ${studies}`;
  }
}

export type StudyOutcome =
  | { studyId: string; description: string; status: 'changed' }
  | { studyId: string; description: string; status: 'unchanged' | 'failed'; reason: string };

/** Sends one study's change with its confirmed version (If-Match); throws the API's error. */
export type SendStudyChange = (study: Study, request: StudyRequest) => Promise<unknown>;

export interface BulkRunOptions {
  /** Studies changed at once: the browser's few connections, shared with the live stream. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Changes each study (as it was when the person confirmed: its `updatedAt` is the If-Match) and
 * answers one outcome per study, in the order given. A study that fails does not stop the others.
 */
export async function runBulkChange(
  studies: readonly Study[],
  action: BulkAction,
  send: SendStudyChange,
  options: BulkRunOptions = {},
): Promise<StudyOutcome[]> {
  const { concurrency = 4, onProgress, signal } = options;
  const outcomes: StudyOutcome[] = new Array<StudyOutcome>(studies.length);
  const request = requestFor(action);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let index = next++; index < studies.length; index = next++) {
      const study = studies[index];
      if (!study) continue;
      outcomes[index] = await changeOne(study);
      done += 1;
      onProgress?.(done, studies.length);
    }
  };
  const changeOne = async (study: Study): Promise<StudyOutcome> => {
    const base = { studyId: study.studyId, description: study.studyDescription };
    const unchanged = unchangedReason(study, action);
    if (unchanged) return { ...base, status: 'unchanged', reason: unchanged };
    if (signal?.aborted) return { ...base, status: 'failed', reason: 'Stopped before this study was changed.' };
    try {
      await send(study, request);
      return { ...base, status: 'changed' };
    } catch (error) {
      return { ...base, status: 'failed', reason: failureReason(error, study) };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, studies.length)) }, worker));
  return outcomes;
}

/** Why a study's change failed, in words a coordinator acts on. */
export function failureReason(error: unknown, confirmed: Study): string {
  if (!isApiError(error)) return 'Something went wrong; nothing was changed.';
  if (error.status === 409) {
    const current = error.problem?.current;
    const what = isStudyLike(current) ? whatChanged(confirmed, current) : '';
    return `Changed by someone else meanwhile${what ? ` (${what})` : ''}; not changed.`;
  }
  if (error.status === 0) return 'The server could not be reached; not changed.';
  return `${error.detail || error.title}`;
}

interface StudyLike {
  severity?: unknown;
  assignedTo?: { firstName?: unknown; lastName?: unknown; email?: unknown; userId?: unknown } | null;
  studyViewerStatus?: unknown;
  isCancelled?: unknown;
  studyDescription?: unknown;
}

function isStudyLike(value: unknown): value is StudyLike {
  return typeof value === 'object' && value !== null && 'studyId' in value;
}

/** What is different now from the version confirmed: "now assigned to Ada Chen, now STAT". */
export function whatChanged(confirmed: Study, current: StudyLike): string {
  const parts: string[] = [];
  const nowAssignee = current.assignedTo ?? null;
  if ((nowAssignee?.userId ?? null) !== (confirmed.assignedTo?.userId ?? null)) {
    const name = [nowAssignee?.firstName, nowAssignee?.lastName]
      .filter((part) => typeof part === 'string' && part !== '')
      .join(' ');
    parts.push(nowAssignee ? `now assigned to ${name || 'someone else'}` : 'now unassigned');
  }
  const severity = current.severity;
  if ((severity === 'stat' || severity === 'high' || severity === 'normal') && severity !== confirmed.severity)
    parts.push(`now ${SEVERITY_LABEL[severity]}`);
  if (current.studyViewerStatus !== undefined && current.studyViewerStatus !== confirmed.studyViewerStatus) {
    parts.push(current.studyViewerStatus === 'complete' ? 'now read' : 'now unread');
  }
  if (current.isCancelled === true && !confirmed.isCancelled) parts.push('now cancelled');
  if (typeof current.studyDescription === 'string' && current.studyDescription !== confirmed.studyDescription)
    parts.push('description changed');
  return parts.join(', ');
}

/** "8 of 10 changed" and what the rest are, for the result's heading. */
export function summarize(outcomes: readonly StudyOutcome[]): string {
  const changed = outcomes.filter((outcome) => outcome.status === 'changed').length;
  const unchanged = outcomes.filter((outcome) => outcome.status === 'unchanged').length;
  const failed = outcomes.length - changed - unchanged;
  const parts = [`${changed} of ${outcomes.length} changed`];
  if (failed > 0) parts.push(`${failed} not changed`);
  if (unchanged > 0) parts.push(`${unchanged} already so or left as they are`);
  return parts.join(', ');
}
