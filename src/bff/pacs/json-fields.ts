/** Reading Orthanc's JSON without trusting its shape: missing or mistyped fields read as empty. */

export type JsonRecord = Record<string, unknown>;

/** The value as an object's fields, or no fields when it is not an object. */
export function recordOf(value: unknown): JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value))
    : {};
}

/** A string field, trimmed; '' when absent or not a string (DICOM pads values with spaces). */
export function textOf(record: JsonRecord, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value.trim() : '';
}

export function listOf(record: JsonRecord, key: string): unknown[] {
  const value = record[key];
  return Array.isArray(value) ? value : [];
}

/** String entries of a list field (Orthanc's child IDs). */
export function idsOf(record: JsonRecord, key: string): string[] {
  return listOf(record, key).filter((entry): entry is string => typeof entry === 'string');
}
