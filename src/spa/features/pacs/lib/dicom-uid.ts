import { isDicomUid } from '../../../../contract/study-limits.ts';

/**
 * The BFF's rule for a Study Instance UID it will look up (digits and dots, at most 64 characters).
 * The worklist may hold studies with other UIDs; they are never sent, since one would make the BFF
 * refuse the whole page, and they cannot be in the PACS anyway.
 */
export function isLookupableUid(uid: string): boolean {
  return isDicomUid(uid);
}

/** The UIDs of one page of rows worth asking the PACS about: valid, each once, in row order. */
export function lookupUids(studyInstanceUids: readonly string[]): string[] {
  return [...new Set(studyInstanceUids.filter(isLookupableUid))];
}
