import { useId, useMemo, useState } from 'react';
import type { UserReference } from '../../../../contract/avara-types.ts';
import { formatPersonName } from '../../../lib/format.ts';
import { readsStudies } from '../../../lib/people/readers.ts';
import type { Person } from '../../../../contract/worklist-api.ts';
import { BUTTON, INPUT } from './button-styles.ts';

interface AssigneePickerProps {
  /** The chosen `usr_…` ID, or null for unassigned. */
  value: string | null;
  onChange: (userId: string | null) => void;
  roster: Person[] | undefined;
  rosterError: boolean;
  /** Who the study is assigned to on the server: named even when the roster has not loaded. */
  knownAssignee: UserReference | null | undefined;
  /** The signed-in person's `usr_…` ID; "Assign to me" needs one. */
  meUserId: string | null;
}

const MAX_OPTIONS = 50;

function matches(person: Person, words: string[]): boolean {
  const haystack = `${formatPersonName(person)} ${person.email} ${person.clinicRole}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** Names a person by ID from the roster, or from the study's own reference to them. */
export function assigneeLabel(
  userId: string | null,
  roster: Person[] | undefined,
  known: UserReference | null | undefined,
) {
  if (userId === null) return { name: 'Unassigned', email: '' };
  const person =
    roster?.find((candidate) => candidate.userId === userId) ?? (known?.userId === userId ? known : undefined);
  if (!person) return { name: userId, email: '' };
  return { name: formatPersonName(person) || person.email, email: person.email };
}

/**
 * A combobox over the roster (type part of a name, e-mail or clinic role; arrows and Enter pick),
 * plus one-click "Assign to me" and "Unassign".
 */
export function AssigneePicker({ value, onChange, roster, rosterError, knownAssignee, meUserId }: AssigneePickerProps) {
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState(false);
  const [activeIndex, setActiveIndex] = useState(0);
  const listId = useId();
  const optionId = (index: number) => `${listId}-option-${index}`;

  const options = useMemo(() => {
    const words = search.toLowerCase().split(/\s+/).filter(Boolean);
    // Only people who read studies are offered: a study assigned to a coordinator or a technologist is read by nobody.
    return (roster ?? []).filter((person) => readsStudies(person) && matches(person, words)).slice(0, MAX_OPTIONS);
  }, [roster, search]);

  const current = assigneeLabel(value, roster, knownAssignee);

  function choose(person: Person) {
    onChange(person.userId);
    setSearch('');
    setOpen(false);
  }

  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">Assignee</legend>
      <p className="text-sm" aria-live="polite">
        <span className={value === null ? 'italic text-fg-muted' : 'font-medium'}>{current.name}</span>
        {current.email ? <span className="ml-2 text-fg-muted">{current.email}</span> : null}
      </p>
      <div className="relative">
        <input
          type="text"
          role="combobox"
          aria-label="Find a person to assign"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open && options.length > 0 ? optionId(activeIndex) : undefined}
          placeholder={rosterError ? 'The roster could not be loaded' : 'Search by name, e-mail or role'}
          disabled={rosterError}
          value={search}
          className={INPUT}
          onChange={(event) => {
            setSearch(event.target.value);
            setActiveIndex(0);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown') {
              event.preventDefault();
              setOpen(true);
              setActiveIndex((index) => Math.min(index + 1, Math.max(options.length - 1, 0)));
            } else if (event.key === 'ArrowUp') {
              event.preventDefault();
              setActiveIndex((index) => Math.max(index - 1, 0));
            } else if (event.key === 'Enter' && open) {
              // Enter picks the highlighted person; it must not submit the form.
              event.preventDefault();
              const person = options[activeIndex];
              if (person) choose(person);
            } else if (event.key === 'Escape' && open) {
              // Closes the list only, not the drawer.
              event.preventDefault();
              event.stopPropagation();
              setOpen(false);
            }
          }}
        />
        {open ? (
          <ul
            id={listId}
            role="listbox"
            aria-label="People"
            className="absolute z-30 mt-1 max-h-64 w-full overflow-y-auto rounded border border-border bg-panel-raised py-1 shadow-lg"
          >
            {roster === undefined ? (
              <li className="px-3 py-2 text-sm text-fg-muted">Loading the roster…</li>
            ) : options.length === 0 ? (
              <li className="px-3 py-2 text-sm text-fg-muted">Nobody matches “{search}”.</li>
            ) : (
              options.map((person, index) => (
                <li
                  key={person.userId}
                  id={optionId(index)}
                  role="option"
                  aria-selected={person.userId === value}
                  // mousedown, not click: the input's blur would close the list before a click lands.
                  onMouseDown={(event) => {
                    event.preventDefault();
                    choose(person);
                  }}
                  onMouseEnter={() => setActiveIndex(index)}
                  className={`cursor-pointer px-3 py-1.5 text-sm ${index === activeIndex ? 'bg-accent/20' : ''}`}
                >
                  <span className="font-medium">{formatPersonName(person) || person.email}</span>
                  <span className="ml-2 text-xs text-fg-muted">
                    {person.clinicRole} · {person.email}
                  </span>
                </li>
              ))
            )}
          </ul>
        ) : null}
      </div>
      <div className="flex flex-wrap gap-2">
        {meUserId ? (
          <button
            type="button"
            className={BUTTON.secondary}
            disabled={value === meUserId}
            onClick={() => onChange(meUserId)}
          >
            Assign to me
          </button>
        ) : null}
        <button type="button" className={BUTTON.secondary} disabled={value === null} onClick={() => onChange(null)}>
          Unassign
        </button>
      </div>
    </fieldset>
  );
}
