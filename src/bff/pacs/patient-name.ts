/**
 * A DICOM person name (PN) for people: `DOE^JANE^M^DR^JR` → `Doe, Jane M` with prefix and suffix
 * kept (`Doe, Dr Jane M, Jr`). Family name first, after a comma, as worklists and wristbands show
 * it: it sorts and reads the same everywhere, and never guesses which part is the given name.
 * Only the alphabetic group (before the first `=`) is used. All-capital parts (the usual PACS
 * spelling) are put in title case; mixed-case parts are kept as entered (`McDonald`, `van Dijk`).
 */
export function formatPatientName(dicomName: string): string {
  const alphabetic = dicomName.split('=')[0] ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = alphabetic
    .split('^')
    .map((part) => titleCase(part.trim()));
  const forenames = [prefix, given, middle].filter(Boolean).join(' ');
  let name = family && forenames ? `${family}, ${forenames}` : family || forenames;
  if (suffix && name) name += `, ${suffix}`;
  return name;
}

function titleCase(part: string): string {
  if (part !== part.toUpperCase()) return part;
  // Capital after a start, space, hyphen or apostrophe: O'BRIEN-SMITH → O'Brien-Smith.
  return part
    .toLowerCase()
    .replace(/(^|[\s'-])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase());
}
