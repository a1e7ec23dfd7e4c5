import { describe, expect, it } from 'vitest';
import type { Me, Person } from '../../../../contract/worklist-api.ts';
import { meAsAssignee } from './me-as-assignee.ts';

const userId = 'usr_0123456789abcdef0123456789abcdef';
const me: Me = {
  subject: 'ada',
  email: 'ada@example.org',
  name: 'Ada Lovelace',
  role: 'radiologist',
  userId,
  authMode: 'dev',
};
const roster: Person[] = [
  {
    userId,
    email: 'ada@example.org',
    firstName: 'Ada',
    lastName: 'Lovelace',
    clinicRole: 'Radiologist',
    canManageStudies: false,
  },
];

describe('the signed-in person as the new assignee', () => {
  it('takes the name parts from the roster, never the whole name as a first name', () => {
    expect(meAsAssignee(me, userId, roster)).toEqual({
      userId,
      email: 'ada@example.org',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
  });

  it('carries the email alone without the roster, and nothing without a person', () => {
    expect(meAsAssignee(me, userId, undefined)).toEqual({ userId, email: 'ada@example.org' });
    expect(meAsAssignee(null, userId, roster)).toBeNull();
    expect(meAsAssignee(me, null, roster)).toBeNull();
  });
});
