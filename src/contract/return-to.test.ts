import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to.ts';

describe('safeReturnTo', () => {
  it('keeps paths of this app', () => {
    expect(safeReturnTo('/studies/stu_1?severity=stat')).toBe('/studies/stu_1?severity=stat');
    expect(safeReturnTo('/études')).toBe('/%C3%A9tudes');
    expect(safeReturnTo('/a/../studies')).toBe('/studies');
  });

  it.each([
    '//evil.example',
    '/..//evil.example',
    '/./..//evil.example',
    '/a/..//evil.example',
    '/\\evil.example',
    'https://evil.example',
    'evil',
    '/\t/evil.example',
    '/\n/evil.example',
    '/auth/login',
    '',
    undefined,
    ['/a'],
  ])('turns %j into /', (value) => {
    expect(safeReturnTo(value)).toBe('/');
  });

  it('never answers anything a browser would read as another host', () => {
    const piece = fc.constantFrom('/', '//', '.', '..', '%2e', '%2f', 'evil.example', '\\', '@', ':', 'x', '?', '#');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const result = safeReturnTo(`/${pieces.join('')}`);
        expect(new URL(result, 'https://worklist.hospital.example').host).toBe('worklist.hospital.example');
        expect(result.startsWith('/')).toBe(true);
        expect(result.startsWith('//')).toBe(false);
      }),
    );
  });
});
