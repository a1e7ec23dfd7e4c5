/** Who is asking, as the permissions rule (permissions.ts) sees them. */
import type { Role } from './worklist-api.ts';

/** The role assumed while nobody is known yet: the one that may do least. */
export const LEAST_PRIVILEGED_ROLE: Role = 'radiologist';

/**
 * The worklist role Avara suggests for one of its users: `canManageStudies` makes a coordinator,
 * anyone else reads. The clinic role plays no part (Avara's list has no "Coordinator"; a radiologist
 * may manage studies). A roster file or an IdP group can override it (src/bff/people).
 */
export function roleFromAvaraUser(user: { canManageStudies: boolean }): Role {
  return user.canManageStudies ? 'coordinator' : 'radiologist';
}

/** The person asking: their role, and their Avara user (`usr_…`), or null when Avara has none. */
export interface Actor {
  role: Role;
  userId: string | null;
}

/** The person behind a `/api/me` answer or a session; the least privileged nobody when unknown. */
export function actorOf(person: { role: Role; userId: string | null } | null | undefined): Actor {
  return person ? { role: person.role, userId: person.userId } : { role: LEAST_PRIVILEGED_ROLE, userId: null };
}

/**
 * Whether the person may ask for the next study by rule: readers (radiologists with an Avara user)
 * only. Part of the permissions rule (permissions.ts re-exports it), kept here so the worklist can
 * decide whether to offer Next study without loading the rest of the rule.
 */
export function mayTakeNextStudy(actor: Actor): { allowed: true } | { allowed: false; detail: string } {
  if (actor.role !== 'radiologist')
    return { allowed: false, detail: 'Next study is for radiologists: it hands out studies to read.' };
  if (actor.userId === null)
    return { allowed: false, detail: 'Your account has no Avara user, so no study can be assigned to you.' };
  return { allowed: true };
}

/** Create, cancel and restore studies, and change many at once: coordinators only. Part of the permissions rule (permissions.ts re-exports it). */
export function mayManageStudies(actor: Actor): boolean {
  return actor.role === 'coordinator';
}
