/** Who is asking, as the permissions rule (permissions.ts) sees them. */
import type { Role } from './worklist-api.ts';

/** The role assumed while nobody is known yet: the one that may do least. */
export const LEAST_PRIVILEGED_ROLE: Role = 'radiologist';

/** The person asking: their role, and their Avara user (`usr_…`), or null when Avara has none. */
export interface Actor {
  role: Role;
  userId: string | null;
}

/** The person behind a `/api/me` answer or a session; the least privileged nobody when unknown. */
export function actorOf(person: { role: Role; userId: string | null } | null | undefined): Actor {
  return person ? { role: person.role, userId: person.userId } : { role: LEAST_PRIVILEGED_ROLE, userId: null };
}
