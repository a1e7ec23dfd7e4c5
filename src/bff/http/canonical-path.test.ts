import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalUrl } from './canonical-path.ts';

describe('canonicalUrl', () => {
  it.each([
    ['/api/users', '/api/users'],
    ['/%61pi/users', '/api/users'],
    ['/%2561pi/users', '/%2561pi/users'],
    ['/api//users/', '/api/users'],
    ['/api/./users', '/api/users'],
    ['/api/x/../users', '/api/users'],
    ['/../../api/users', '/api/users'],
    ['/api;x=1/users;y', '/api/users'],
    ['/api%2Fusers', '/api/users'],
    ['/api/%2e%2e/etc', '/etc'],
    ['/api/studies?q=a%2F..//b', '/api/studies?q=a%2F..//b'],
    ['/api/a%3Fb', '/api/a%3Fb'],
    ['/', '/'],
    ['/%zz', '/%zz'],
    ['/%A0/', '/%A0/'],
  ])('%s → %s', (raw, canonical) => {
    expect(canonicalUrl(raw)).toBe(canonical);
  });

  it('is idempotent, and leaves no empty, dot or ;-parameter segment in the path', () => {
    const pathArbitrary = fc
      .array(
        fc.oneof(
          fc.constantFrom('', '.', '..', 'api', 'a;b', '%2F', '%2e', '%41', '?', 'x%3Fy'),
          fc.string({ maxLength: 6 }),
        ),
        { maxLength: 8 },
      )
      .map((segments) => `/${segments.join('/')}`);
    fc.assert(
      fc.property(pathArbitrary, (raw) => {
        const once = canonicalUrl(raw);
        expect(canonicalUrl(once)).toBe(once);
        if (once === raw && !decodes(raw.split(/[?#]/)[0] ?? '')) return; // Broken escapes are left to the router.
        const path = once.split(/[?#]/)[0] ?? '';
        const segments = path.split('/').slice(1);
        expect(path.startsWith('/')).toBe(true);
        if (path !== '/')
          expect(
            segments.every(
              (segment) => segment !== '' && segment !== '.' && segment !== '..' && !segment.includes(';'),
            ),
          ).toBe(true);
      }),
    );
  });
});

function decodes(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
