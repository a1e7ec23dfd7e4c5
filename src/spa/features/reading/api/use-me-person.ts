import { useMemo } from 'react';
import type { EventPerson } from '../../../../contract/worklist-events.ts';
import { useMe } from '../../../lib/auth/get-me.ts';

/** The signed-in person as events name people, to tell their own lease and presence from others'. */
export function useMePerson(): EventPerson | null {
  const me = useMe().data ?? null;
  return useMemo(() => (me ? { userId: me.userId, email: me.email, name: me.name } : null), [me]);
}
