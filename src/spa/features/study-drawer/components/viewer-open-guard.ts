import { createContext, useContext } from 'react';

/**
 * What the app does around opening the viewer (taking the study's reading lease, asking first when
 * someone else reads it), kept out of this feature. Without one, the button just opens the viewer.
 */
export interface ViewerOpenGuard {
  /**
   * Called on the click, before anything opens: `open` goes ahead; `wait` means the guard asks the
   * person first and calls `proceed` from their answer's click (so the new tab still counts as theirs).
   */
  beforeOpen(studyId: string, proceed: () => void): 'open' | 'wait';
  /** The viewer is being opened for the study. */
  opening(studyId: string): void;
}

export const ViewerOpenGuardContext = createContext<ViewerOpenGuard | null>(null);

export function useViewerOpenGuard(): ViewerOpenGuard | null {
  return useContext(ViewerOpenGuardContext);
}
