import type { Study } from '../../../../contract/avara-types.ts';
import type { Me, Person } from '../../../../contract/worklist-api.ts';

/**
 * The signed-in person as an assignee reference, for the moment before the server's answer. The
 * name parts come from the roster when it is loaded; `Me` has only the whole name, which cannot be
 * split into first and last honestly, so without the roster the reference carries the email alone
 * (shown until the answer brings the names).
 */
export function meAsAssignee(
  me: Me | null,
  userId: string | null,
  roster: readonly Person[] | undefined,
): Study['assignedTo'] {
  if (!me || !userId) return null;
  const person = roster?.find((candidate) => candidate.userId === userId);
  if (!person) return { userId, email: me.email };
  const { email, firstName, lastName, middleName, suffix1, suffix2 } = person;
  return {
    userId,
    email,
    firstName,
    lastName,
    ...(middleName ? { middleName } : {}),
    ...(suffix1 ? { suffix1 } : {}),
    ...(suffix2 ? { suffix2 } : {}),
  };
}
