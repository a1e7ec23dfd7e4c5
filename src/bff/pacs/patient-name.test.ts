import { describe, expect, it } from 'vitest';
import { formatPatientName } from './patient-name.ts';

describe('formatPatientName', () => {
  it.each([
    ['DOE^JANE^M', 'Doe, Jane M'],
    ['DOE^JANE', 'Doe, Jane'],
    ['DOE', 'Doe'],
    ['^JANE', 'Jane'],
    ["O'BRIEN-SMITH^MARY ANN", "O'Brien-Smith, Mary Ann"],
    ['DOE^JOHN^Q^DR^JR', 'Doe, Dr John Q, Jr'],
    ['McDonald^Ronald', 'McDonald, Ronald'],
    ['YAMADA^TARO=山田^太郎=やまだ^たろう', 'Yamada, Taro'],
    ['  DOE ^ JANE ', 'Doe, Jane'],
    ['', ''],
  ])('%s → %s', (dicom, expected) => {
    expect(formatPatientName(dicom)).toBe(expected);
  });
});
