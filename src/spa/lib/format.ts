import type { UserReference } from '../../contract/avara-types.ts';

/** The name parts of a user reference; an upstream Avara may send an empty one as null. */
type PersonName = {
  [Part in 'firstName' | 'middleName' | 'lastName' | 'suffix1' | 'suffix2']?: UserReference[Part] | null;
} & {
  email?: string;
};

function clean(part: string | null | undefined): string {
  return part?.trim() ?? '';
}

/** A middle name shows as an initial ("Robert" → "R."), the way names are printed on reports. */
function middleInitial(middleName: string): string {
  if (middleName === '') return '';
  if (middleName.length <= 2 && middleName.endsWith('.')) return middleName;
  return `${middleName.charAt(0).toUpperCase()}.`;
}

/**
 * "John R. Smith, MD, FACR" from the parts Avara gives; falls back to the e-mail address when the
 * person has no name on record, and to an empty string when there is nothing at all.
 */
export function formatPersonName(person: PersonName | null | undefined): string {
  if (!person) return '';
  const given = [clean(person.firstName), middleInitial(clean(person.middleName)), clean(person.lastName)]
    .filter((part) => part !== '')
    .join(' ');
  const suffixes = [clean(person.suffix1), clean(person.suffix2)].filter((part) => part !== '');
  if (given === '') return clean(person.email);
  return [given, ...suffixes].join(', ');
}

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 60 * 60],
  ['month', 30 * 24 * 60 * 60],
  ['week', 7 * 24 * 60 * 60],
  ['day', 24 * 60 * 60],
  ['hour', 60 * 60],
  ['minute', 60],
  ['second', 1],
];

const relativeFormatters = new Map<string, Intl.RelativeTimeFormat>();

function relativeFormatter(locale: string | undefined): Intl.RelativeTimeFormat {
  const key = locale ?? '';
  let formatter = relativeFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'long' });
    relativeFormatters.set(key, formatter);
  }
  return formatter;
}

function toDate(value: string | Date): Date | null {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * "5 minutes ago", "yesterday", "in 2 hours": how long a study has waited matters more at a glance
 * than the clock time. Under 45 seconds reads "just now" (the list is never that precise).
 */
export function formatRelativeTime(
  value: string | Date | null | undefined,
  now: Date = new Date(),
  locale?: string,
): string {
  if (value === null || value === undefined) return '';
  const date = toDate(value);
  if (!date) return '';
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, unitSeconds] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= unitSeconds || unit === 'second') {
      return relativeFormatter(locale).format(Math.round(seconds / unitSeconds), unit);
    }
  }
  return '';
}

const exactFormatter = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The exact local date and time, for a tooltip next to a relative time. */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (value === null || value === undefined) return '';
  const date = toDate(value);
  return date ? exactFormatter.format(date) : '';
}

/**
 * "12 s ago", "3 min ago", "2 h ago": an elapsed time to the second while it is short, for
 * something that is counting up in front of the reader (how old the data on screen is).
 */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  return `${Math.floor(minutes / 60)} h ago`;
}
