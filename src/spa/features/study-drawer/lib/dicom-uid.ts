import { DICOM_UID_MAX_LENGTH } from '../../../../contract/study-limits.ts';

/**
 * Why a DICOM UID is not valid, or undefined when it is: at most 64 characters, dot-separated
 * numeric components, none with a leading zero (a lone 0 is fine).
 */
export function dicomUidProblem(uid: string): string | undefined {
  if (uid === '') return 'Enter the Study Instance UID.';
  if (uid.length > DICOM_UID_MAX_LENGTH)
    return `A UID is at most ${DICOM_UID_MAX_LENGTH} characters (this one has ${uid.length}).`;
  if (/[^0-9.]/.test(uid)) return 'A UID has only digits and dots.';
  const components = uid.split('.');
  if (components.some((component) => component === ''))
    return 'A UID has no empty parts: no leading, trailing or double dots.';
  if (components.some((component) => component.length > 1 && component.startsWith('0'))) {
    return 'No part of a UID may start with 0 (a lone 0 is fine).';
  }
  return undefined;
}
