/**
 * Limits on a study's fields that code outside the contract validator checks as the user types or
 * before sending: written here once, copied from avara-openapi.yaml, and tied to it by
 * study-limits.test.ts (the test fails if either changes alone).
 */

/** The contract's limits on a study's metadata map (`Metadata`). */
export const METADATA_LIMITS = { maxPairs: 50, maxKeyLength: 100, maxValueLength: 1000 } as const;

/** The DICOM limit on a UID's length (`StudyInstanceUid`). */
export const DICOM_UID_MAX_LENGTH = 64;

/** Dot-separated numeric components, none with a leading zero (a lone 0 is fine): `StudyInstanceUid`. */
export const DICOM_UID_PATTERN = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** Whether the value is a DICOM UID as the contract has it; nothing else is sent to a PACS. */
export function isDicomUid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= DICOM_UID_MAX_LENGTH && DICOM_UID_PATTERN.test(value);
}
