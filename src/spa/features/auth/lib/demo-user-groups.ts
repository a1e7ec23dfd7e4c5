import type { DemoUser } from '../../../../contract/worklist-api.ts';

/** A heading of the demo sign-in page and the people under it. */
export interface DemoUserGroup {
  title: string;
  people: Array<DemoUser & { duties: string }>;
}

/**
 * The demo people grouped by their real role (Avara's clinic role: a radiologist who also manages
 * the worklist is a radiologist), radiologists first; what they may do in the worklist is said on
 * each card instead.
 */
export function groupDemoUsers(users: readonly DemoUser[]): DemoUserGroup[] {
  const groups = new Map<string, DemoUserGroup>();
  for (const user of users) {
    const clinicRole = user.clinicRole.trim() || (user.role === 'coordinator' ? 'Coordinator' : 'Radiologist');
    const title = plural(clinicRole);
    const group = groups.get(title) ?? { title, people: [] };
    const reads = clinicRole.toLowerCase() === 'radiologist';
    const duties =
      user.role === 'coordinator'
        ? reads
          ? 'reads, and manages the worklist'
          : 'manages the worklist'
        : reads
          ? 'reads studies'
          : 'views studies';
    group.people.push({ ...user, duties });
    groups.set(title, group);
  }
  // Within a group, those who only do the group's work first (a radiologist who also manages after).
  for (const group of groups.values())
    group.people.sort((a, b) => Number(a.role === 'coordinator') - Number(b.role === 'coordinator'));
  const order = ['Radiologists', 'Coordinators'];
  return [...groups.values()].sort((a, b) => rank(a.title) - rank(b.title) || a.title.localeCompare(b.title));
  function rank(title: string): number {
    const index = order.indexOf(title);
    return index < 0 ? order.length : index;
  }
}

function plural(role: string): string {
  const word = role.charAt(0).toUpperCase() + role.slice(1);
  return word.endsWith('s') ? word : `${word}s`;
}
