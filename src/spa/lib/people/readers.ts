import type { Person } from '../../../contract/worklist-api.ts';

/**
 * Whether the person reads studies (Avara's clinic role "Radiologist"), whatever else they may do: the
 * assignee pickers offer only them, as assigning a study to a coordinator or a technologist means
 * nobody reads it.
 */
export function readsStudies(person: Pick<Person, 'clinicRole'>): boolean {
  return person.clinicRole.trim().toLowerCase() === 'radiologist';
}
