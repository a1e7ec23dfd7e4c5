import { METADATA_LIMITS } from '../../../../contract/study-limits.ts';

/** One pair in an editor; `id` keeps React's keys stable while the user renames a key. */
export interface MetadataRow {
  id: string;
  key: string;
  value: string;
}

export interface MetadataRowErrors {
  key?: string;
  value?: string;
}

export interface MetadataErrors {
  /** Errors about the whole map (too many pairs). */
  form?: string;
  /** By row id. */
  rows: Record<string, MetadataRowErrors>;
}

let nextRowId = 0;

export function newMetadataRow(key = '', value = ''): MetadataRow {
  nextRowId += 1;
  return { id: `metadata-row-${nextRowId}`, key, value };
}

/** Editor rows from a study's metadata, in the order the server gave them. */
export function metadataRowsFrom(metadata: Record<string, string> | null | undefined): MetadataRow[] {
  return Object.entries(metadata ?? {}).map(([key, value]) => newMetadataRow(key, value));
}

/** Keys are compared and saved without surrounding spaces, which nobody means to type. */
export function metadataFromRows(rows: MetadataRow[]): Record<string, string> {
  return Object.fromEntries(rows.map((row) => [row.key.trim(), row.value]));
}

/**
 * Checks the rows against the contract's limits, so the form can say what is wrong at the field as
 * the user types, before any request.
 */
export function validateMetadata(rows: MetadataRow[]): MetadataErrors {
  const errors: MetadataErrors = { rows: {} };
  if (rows.length > METADATA_LIMITS.maxPairs) {
    errors.form = `At most ${METADATA_LIMITS.maxPairs} pairs: remove ${rows.length - METADATA_LIMITS.maxPairs}.`;
  }
  const seen = new Map<string, number>();
  for (const row of rows) seen.set(row.key.trim(), (seen.get(row.key.trim()) ?? 0) + 1);
  for (const row of rows) {
    const key = row.key.trim();
    const rowErrors: MetadataRowErrors = {};
    if (key === '') rowErrors.key = 'Enter a key.';
    else if (key.length > METADATA_LIMITS.maxKeyLength)
      rowErrors.key = `Keys are at most ${METADATA_LIMITS.maxKeyLength} characters (this one has ${key.length}).`;
    else if ((seen.get(key) ?? 0) > 1) rowErrors.key = `"${key}" is used more than once; keys must be unique.`;
    if (row.value.length > METADATA_LIMITS.maxValueLength) {
      rowErrors.value = `Values are at most ${METADATA_LIMITS.maxValueLength} characters (this one has ${row.value.length}).`;
    }
    if (rowErrors.key || rowErrors.value) errors.rows[row.id] = rowErrors;
  }
  return errors;
}

export function hasMetadataErrors(errors: MetadataErrors): boolean {
  return errors.form !== undefined || Object.keys(errors.rows).length > 0;
}

/** Same pairs, whatever their order. */
export function sameMetadata(
  a: Record<string, string> | null | undefined,
  b: Record<string, string> | null | undefined,
): boolean {
  const left = Object.entries(a ?? {});
  const right = b ?? {};
  return (
    left.length === Object.keys(right).length &&
    left.every(([key, value]) => Object.hasOwn(right, key) && right[key] === value)
  );
}

/**
 * The rows to show read-only: for each locked key the study has, the first row with that key (the
 * study's own pair; a later row typed with the same key stays editable and is flagged as a duplicate).
 */
export function lockedRowIds(
  rows: MetadataRow[],
  lockedKeys: readonly string[],
  study: Record<string, string> | null | undefined,
): ReadonlySet<string> {
  const locked = new Set<string>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (seen.has(key)) continue;
    seen.add(key);
    if (lockedKeys.includes(key) && Object.hasOwn(study ?? {}, key)) locked.add(row.id);
  }
  return locked;
}
