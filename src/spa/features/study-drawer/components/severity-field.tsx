import type { Severity } from '../../../../contract/avara-types.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { INPUT } from './button-styles.ts';

/** The labelled severity picker of the create and edit forms. */
export function SeverityField({
  id,
  value,
  onChange,
}: {
  id: string;
  value: Severity;
  onChange: (severity: Severity) => void;
}) {
  return (
    <div>
      <label htmlFor={id} className="text-sm font-medium">
        Severity
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => {
          const next = SEVERITIES.find((candidate) => candidate === event.target.value);
          if (next) onChange(next);
        }}
        className={`${INPUT} mt-1`}
      >
        {SEVERITIES.map((option) => (
          <option key={option} value={option}>
            {SEVERITY_LABEL[option]}
          </option>
        ))}
      </select>
    </div>
  );
}
