import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useLocation } from 'react-router';
import type { RefObject } from 'react';
import type { Severity } from '../../../../contract/avara-types.ts';
import { SEVERITIES } from '../../../../contract/avara-types.ts';
import { formatPersonName } from '../../../lib/format.ts';
import { MINE_OR_UNASSIGNED, type Person } from '../../../../contract/worklist-api.ts';
import {
  MODALITIES,
  defaultFilters,
  hasActiveFilters,
  parseAssignee,
  parseCustomer,
  parseFilters,
  parseStudyDate,
  parseViewerStatus,
} from '../../../../contract/worklist-filters.ts';
import type { StudyDateChoice, Viewer, WorklistFilters } from '../../../../contract/worklist-filters.ts';

// Only when someone picks their own dates: not part of the first screen.
const CustomDates = lazy(async () => ({ default: (await import('./study-date-custom.tsx')).CustomDates }));
import { SEVERITY_LABEL } from '../../../components/severity-badge.tsx';
import { useCustomerName } from '../api/get-customer.ts';
import { useRequestedSearch } from '../../../lib/navigation/app-router.tsx';

/** How long typing pauses before the search reaches the URL (and the server). */
export const SEARCH_DEBOUNCE_MS = 300;

interface WorklistFiltersBarProps {
  filters: WorklistFilters;
  viewer: Viewer;
  roster: Person[];
  customers: Map<string, string>;
  onChange: (next: WorklistFilters) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  compact?: boolean;
}

const fieldClass =
  'h-8 rounded border border-border bg-panel px-2 text-sm text-fg hover:border-accent focus-visible:outline-2 focus-visible:outline-accent';

function SearchField({
  value,
  onCommit,
  searchRef,
}: {
  value: string;
  onCommit: (text: string) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const id = useId();
  const [text, setText] = useState(value);
  const committed = useRef(value);

  // Back, Forward or "clear filters" changed the URL: show what it says now.
  useEffect(() => {
    if (value !== committed.current) {
      committed.current = value;
      setText(value);
    }
  }, [value]);

  useEffect(() => {
    if (text.trim() === committed.current.trim()) return;
    const timer = window.setTimeout(() => {
      committed.current = text.trim();
      onCommit(text.trim());
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text, onCommit]);

  return (
    <div className="flex items-center gap-1.5 max-sm:flex-1">
      <label htmlFor={id} className="sr-only">
        Search patient, MRN, accession, UID or description
      </label>
      <input
        id={id}
        ref={searchRef}
        type="search"
        value={text}
        maxLength={200}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && text === '') event.currentTarget.blur();
        }}
        placeholder="Patient, MRN, accession, UID…  ( / )"
        className={`${fieldClass} w-64 max-sm:w-full`}
      />
    </div>
  );
}

function Select<T extends string>({
  label,
  value,
  onChange,
  children,
  parse,
}: {
  label: string;
  value: T;
  onChange: (value: T) => void;
  parse: (value: string) => T;
  children: React.ReactNode;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-1.5">
      <label htmlFor={id} className="text-xs font-medium text-fg-muted">
        {label}
      </label>
      <select id={id} value={value} onChange={(event) => onChange(parse(event.target.value))} className={fieldClass}>
        {children}
      </select>
    </div>
  );
}

function Check({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex items-center gap-1.5 text-sm">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
        className="size-4 accent-accent"
      />
      {label}
    </label>
  );
}

const DATE_CHOICES = [
  ['', 'Any date'],
  ['today', 'Today'],
  ['yesterday', 'Yesterday'],
  ['7d', 'Last 7 days'],
  ['custom', 'Custom…'],
] as const;

/** The worklist's filters. Each change becomes a new URL (so Back undoes it) and a new server query. */
export function WorklistFiltersBar({
  filters: shownFilters,
  viewer,
  roster,
  customers,
  onChange,
  searchRef,
  compact = false,
}: WorklistFiltersBarProps) {
  // What the person last asked for, before the list under it has followed (src/spa/lib/navigation).
  const requested = useRequestedSearch();
  const { search } = useLocation();
  const filters = useMemo(
    () => (requested === search ? shownFilters : parseFilters(new URLSearchParams(requested), viewer)),
    [requested, search, shownFilters, viewer],
  );
  const defaults = defaultFilters(viewer);
  const set = <K extends keyof WorklistFilters>(key: K, value: WorklistFilters[K]) =>
    onChange({ ...filters, [key]: value });
  const onSearch = useRef(set);
  onSearch.current = set;
  const [commitSearch] = useState(() => (text: string) => onSearch.current('description', text));

  const toggleGroup = (severity: Severity) => {
    const shown = filters.groups.includes(severity);
    // Hiding the last group would show nothing at all; keep at least one.
    if (shown && filters.groups.length === 1) return;
    set(
      'groups',
      SEVERITIES.filter((candidate) => (candidate === severity ? !shown : filters.groups.includes(candidate))),
    );
  };

  const panelId = useId();
  const [open, setOpen] = useState(false);
  // "Custom…" picked, no date given yet: it holds for the dates it was picked over, so any change of
  // the dates (one given, Back, Clear) ends it. Those are the dates last asked for here, not the ones
  // on screen, which follow a moment later while the new list loads.
  const asked = useRef(filters.studyDate);
  const [customOver, setCustomOver] = useState<string | undefined>(undefined);
  useEffect(() => {
    asked.current = filters.studyDate;
    setCustomOver((over) => (over === filters.studyDate ? over : undefined));
  }, [filters.studyDate]);
  const isCustom = customOver === filters.studyDate || filters.studyDate.includes('..');
  const people = [...roster].sort(
    (a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName),
  );
  const selectedCustomerKnown =
    filters.customer === 'any' || filters.customer === 'none' || customers.has(filters.customer);
  const linkedCustomer = useCustomerName(
    selectedCustomerKnown || filters.customer === 'any' || filters.customer === 'none' ? undefined : filters.customer,
  );
  const selectedPersonKnown =
    !filters.assignee.startsWith('usr_') || roster.some((person) => person.userId === filters.assignee);

  return (
    <div
      role="search"
      aria-label="Filters"
      className={`flex min-w-0 flex-1 flex-wrap items-center gap-x-4 gap-y-2 ${compact ? 'text-xs' : ''}`}
    >
      <SearchField value={filters.description} onCommit={commitSearch} searchRef={searchRef} />
      {/* On a phone the filters fold away behind one button; the search stays. */}
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`${panelId}`}
        onClick={() => setOpen(!open)}
        className="h-8 rounded border border-border px-2 text-sm font-medium text-fg sm:hidden"
      >
        Filters
        {hasActiveFilters(filters, viewer) ? (
          <span>
            <span aria-hidden="true"> •</span>
            <span className="sr-only"> (some set)</span>
          </span>
        ) : null}
      </button>
      <div id={panelId} className={`flex-wrap items-center gap-x-4 gap-y-2 sm:contents ${open ? 'flex' : 'hidden'}`}>
        <Select
          label="Modality"
          value={filters.modality}
          onChange={(value) => set('modality', value)}
          parse={(value) => value}
        >
          <option value="">Any</option>
          {/* A modality from a link that is not in the usual list is still shown as chosen. */}
          {(filters.modality === '' || MODALITIES.some((modality) => modality === filters.modality)
            ? MODALITIES
            : [filters.modality, ...MODALITIES]
          ).map((modality) => (
            <option key={modality} value={modality}>
              {modality}
            </option>
          ))}
        </Select>
        <Select
          label="Study date"
          value={isCustom ? 'custom' : filters.studyDate}
          onChange={(value) => {
            if (value === 'custom') {
              setCustomOver(asked.current);
              return;
            }
            setCustomOver(undefined);
            asked.current = value;
            set('studyDate', value);
          }}
          parse={(value): StudyDateChoice | 'custom' => (value === 'custom' ? value : parseStudyDate(value))}
        >
          {DATE_CHOICES.map(([choice, label]) => (
            <option key={choice} value={choice}>
              {label}
            </option>
          ))}
        </Select>
        {isCustom ? (
          <Suspense fallback={null}>
            <CustomDates value={filters.studyDate} onChange={(value) => set('studyDate', value)} />
          </Suspense>
        ) : null}
        <Check label="Overdue" checked={filters.overdue} onChange={(checked) => set('overdue', checked)} />
        <Check label="Critical results" checked={filters.critical} onChange={(checked) => set('critical', checked)} />
        <Select
          label="Viewer status"
          value={filters.viewerStatus}
          onChange={(value) => set('viewerStatus', value)}
          parse={parseViewerStatus}
        >
          <option value="incomplete">Unread{defaults.viewerStatus === 'incomplete' ? ' (default)' : ''}</option>
          <option value="complete">Read</option>
          <option value="any">Read or unread</option>
        </Select>
        <Select
          label="Assignee"
          value={filters.assignee}
          onChange={(value) => set('assignee', value)}
          parse={(value) => parseAssignee(value, viewer)}
        >
          <option value="anyone">Anyone{defaults.assignee === 'anyone' ? ' (default)' : ''}</option>
          <option value={MINE_OR_UNASSIGNED} disabled={!viewer.userId}>
            Mine and unassigned{defaults.assignee === MINE_OR_UNASSIGNED ? ' (default)' : ''}
            {viewer.userId ? '' : ' (not on the roster)'}
          </option>
          <option value="me" disabled={!viewer.userId}>
            Me{defaults.assignee === 'me' ? ' (default)' : ''}
            {viewer.userId ? '' : ' (not on the roster)'}
          </option>
          <option value="unassigned">Unassigned</option>
          {selectedPersonKnown ? null : <option value={filters.assignee}>{filters.assignee}</option>}
          {people.length > 0 ? (
            <optgroup label="People">
              {people.map((person) => (
                <option key={person.userId} value={person.userId}>
                  {formatPersonName(person)}
                </option>
              ))}
            </optgroup>
          ) : null}
        </Select>
        <Select
          label="Customer"
          value={filters.customer}
          onChange={(value) => set('customer', value)}
          parse={parseCustomer}
        >
          <option value="any">Any customer</option>
          <option value="none">No customer</option>
          {selectedCustomerKnown ? null : (
            <option value={filters.customer}>{linkedCustomer ?? 'The linked customer'}</option>
          )}
          {[...customers].map(([customerId, name]) => (
            <option key={customerId} value={customerId}>
              {name}
            </option>
          ))}
        </Select>
        <Check
          label="Include cancelled"
          checked={filters.includeCancelled}
          onChange={(checked) => set('includeCancelled', checked)}
        />
        <fieldset className="flex items-center gap-1">
          <legend className="sr-only">Severity groups shown</legend>
          {SEVERITIES.map((severity) => (
            <label
              key={severity}
              className="flex items-center gap-1 rounded border border-border px-1.5 py-0.5 text-xs font-semibold"
            >
              <input
                type="checkbox"
                checked={filters.groups.includes(severity)}
                onChange={() => toggleGroup(severity)}
                className="size-3.5 accent-accent"
              />
              {SEVERITY_LABEL[severity]}
            </label>
          ))}
        </fieldset>
        {hasActiveFilters(filters, viewer) ? (
          <button
            type="button"
            onClick={() => {
              setCustomOver(undefined);
              onChange(defaults);
            }}
            className="rounded px-2 py-1 text-sm font-medium text-accent underline-offset-2 hover:underline"
          >
            Clear filters
          </button>
        ) : null}
      </div>
    </div>
  );
}
