import { useId } from 'react';
import { METADATA_LIMITS } from '../../../../contract/study-limits.ts';
import { newMetadataRow } from '../lib/metadata-rules.ts';
import type { MetadataErrors, MetadataRow } from '../lib/metadata-rules.ts';
import { BUTTON, INPUT } from './button-styles.ts';

interface MetadataEditorProps {
  rows: MetadataRow[];
  onChange: (rows: MetadataRow[]) => void;
  errors: MetadataErrors;
  /** An error from the server about the map as a whole. */
  serverError?: string | undefined;
  /** Rows shown but not editable or removable (the PACS's keys, for radiologists). */
  lockedRowIds?: ReadonlySet<string> | undefined;
}

const NONE: ReadonlySet<string> = new Set();
/** A read-only pair: no box to type in, muted, so it does not look like a field that is broken. */
const LOCKED_INPUT =
  'w-full rounded border border-dashed border-border bg-transparent px-2.5 py-1.5 text-sm text-fg-muted focus:outline-none';

function describedBy(...ids: Array<string | undefined>): string | undefined {
  const present = ids.filter(Boolean);
  return present.length > 0 ? present.join(' ') : undefined;
}

/**
 * Key/value notes: add, edit, remove. The contract's limits are checked as the user types and said at
 * the field that breaks them, so a save is never refused for something the form could have told.
 */
export function MetadataEditor({ rows, onChange, errors, serverError, lockedRowIds = NONE }: MetadataEditorProps) {
  const formErrorId = useId();
  const update = (id: string, patch: Partial<MetadataRow>) =>
    onChange(rows.map((row) => (row.id === id ? { ...row, ...patch } : row)));
  const full = rows.length >= METADATA_LIMITS.maxPairs;
  const formError = errors.form ?? serverError;

  return (
    <fieldset className="space-y-2" aria-describedby={formError ? formErrorId : undefined}>
      <legend className="text-sm font-medium">
        Metadata{' '}
        <span className="font-normal text-fg-muted">
          ({rows.length} of {METADATA_LIMITS.maxPairs} pairs)
        </span>
      </legend>
      {rows.length === 0 ? <p className="text-sm text-fg-muted">No metadata yet.</p> : null}
      <ul className="space-y-2">
        {rows.map((row, index) => {
          const rowErrors = errors.rows[row.id];
          const keyErrorId = `${row.id}-key-error`;
          const valueErrorId = `${row.id}-value-error`;
          const position = index + 1;
          const locked = lockedRowIds.has(row.id);
          const lockedId = `${row.id}-locked`;
          return (
            <li key={row.id} className="grid grid-cols-[minmax(0,2fr)_minmax(0,3fr)_5rem] items-start gap-2">
              <div>
                <input
                  type="text"
                  aria-label={`Key ${position}`}
                  value={row.key}
                  readOnly={locked}
                  placeholder="Key"
                  aria-invalid={rowErrors?.key ? true : undefined}
                  aria-describedby={describedBy(rowErrors?.key ? keyErrorId : undefined, locked ? lockedId : undefined)}
                  onChange={(event) => update(row.id, { key: event.target.value })}
                  className={locked ? LOCKED_INPUT : INPUT}
                />
                {rowErrors?.key ? (
                  <p id={keyErrorId} className="mt-1 text-xs text-danger-fg">
                    {rowErrors.key}
                  </p>
                ) : null}
              </div>
              <div>
                <textarea
                  aria-label={`Value ${position}`}
                  value={row.value}
                  readOnly={locked}
                  placeholder="Value"
                  rows={1}
                  aria-invalid={rowErrors?.value ? true : undefined}
                  aria-describedby={describedBy(
                    rowErrors?.value ? valueErrorId : undefined,
                    locked ? lockedId : undefined,
                  )}
                  onChange={(event) => update(row.id, { value: event.target.value })}
                  className={
                    locked ? `${LOCKED_INPUT} min-h-[2.125rem] resize-none` : `${INPUT} min-h-[2.125rem] resize-y`
                  }
                />
                {rowErrors?.value ? (
                  <p id={valueErrorId} className="mt-1 text-xs text-danger-fg">
                    {rowErrors.value}
                  </p>
                ) : null}
              </div>
              {locked ? (
                <span
                  id={lockedId}
                  className="mt-1.5 px-2 text-xs whitespace-nowrap text-fg-muted"
                  title="Written by the PACS: only a coordinator may change it"
                >
                  From PACS
                </span>
              ) : (
                <button
                  type="button"
                  aria-label={`Remove pair ${position}${row.key.trim() ? ` (${row.key.trim()})` : ''}`}
                  onClick={() => onChange(rows.filter((candidate) => candidate.id !== row.id))}
                  className={`${BUTTON.quiet} mt-0.5`}
                >
                  Remove
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {formError ? (
        <p id={formErrorId} className="text-sm text-danger-fg">
          {formError}
        </p>
      ) : null}
      <button
        type="button"
        className={BUTTON.secondary}
        disabled={full}
        onClick={() => onChange([...rows, newMetadataRow()])}
      >
        Add pair
      </button>
      {full ? <p className="text-xs text-fg-muted">A study holds at most {METADATA_LIMITS.maxPairs} pairs.</p> : null}
    </fieldset>
  );
}
