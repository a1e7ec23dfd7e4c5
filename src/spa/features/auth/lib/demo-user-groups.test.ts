import { describe, expect, it } from 'vitest';
import { groupDemoUsers } from './demo-user-groups.ts';

describe('the demo sign-in groups', () => {
  it('lists people under their real role, radiologists first, and says what each may do', () => {
    const groups = groupDemoUsers([
      { username: 'laura@x', name: 'Laura Bennett', role: 'coordinator', clinicRole: 'Coordinator' },
      { username: 'eleanor@x', name: 'Eleanor Hughes', role: 'coordinator', clinicRole: 'Radiologist' },
      { username: 'samuel@x', name: 'Samuel Adeyemi', role: 'radiologist', clinicRole: 'Radiologist' },
      { username: 'tom@x', name: 'Tom Reed', role: 'radiologist', clinicRole: 'Technologist' },
    ]);
    expect(
      groups.map((group) => [group.title, group.people.map((person) => `${person.name}: ${person.duties}`)]),
    ).toEqual([
      ['Radiologists', ['Samuel Adeyemi: reads studies', 'Eleanor Hughes: reads, and manages the worklist']],
      ['Coordinators', ['Laura Bennett: manages the worklist']],
      ['Technologists', ['Tom Reed: views studies']],
    ]);
  });
});
