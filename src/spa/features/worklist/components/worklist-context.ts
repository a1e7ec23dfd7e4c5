import { createContext, useContext } from 'react';
import { DEFAULT_SLA_TARGETS } from '../lib/sla.ts';
import type { SlaTargets } from '../lib/sla.ts';

/** What cells need beyond their study: the ticking clock, SLA targets and the list's search params. */
export interface WorklistCellContext {
  now: Date;
  slaTargets: SlaTargets;
  /** The worklist's search string, so opening a study keeps the filters for when the drawer closes. */
  search: string;
  /** The signed-in person's Avara user: their studies are marked "mine". */
  viewerUserId?: string | null;
}

export const WorklistCellContext = createContext<WorklistCellContext>({
  now: new Date(0),
  slaTargets: DEFAULT_SLA_TARGETS,
  search: '',
});

export function useWorklistCellContext(): WorklistCellContext {
  return useContext(WorklistCellContext);
}
