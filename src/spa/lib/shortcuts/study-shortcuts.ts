import type { ButtonShortcut } from './use-button-shortcuts.ts';

/**
 * The drawer's action keys, by action. A button takes its key by naming it with
 * `aria-keyshortcuts={STUDY_KEYS.markRead}`; a button added later (e.g. Release) needs nothing else.
 * Next study (`n`) is the reading feature's own.
 */
export const STUDY_KEYS = { openInViewer: 'v', markRead: 'm', claim: 'a', release: 'l', edit: 'e' } as const;

export const STUDY_SHORTCUTS: readonly ButtonShortcut[] = [
  { key: STUDY_KEYS.openInViewer, label: 'Open in Viewer', group: 'Study' },
  { key: STUDY_KEYS.markRead, label: 'Mark read', group: 'Study' },
  { key: STUDY_KEYS.claim, label: 'Assign to me (claim)', group: 'Study' },
  { key: STUDY_KEYS.release, label: 'Release the reading lease', group: 'Study' },
  { key: STUDY_KEYS.edit, label: 'Edit', group: 'Study' },
];
