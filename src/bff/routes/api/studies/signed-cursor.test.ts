import { describe, expect, it } from 'vitest';
import { openCursor, sealCursor } from './signed-cursor.ts';

describe('the BFF’s list cursors', () => {
  it('open to what was sealed, only for the same kind and scope, and never once changed', () => {
    const cursor = sealCursor('search', 'scope-a', { c: 'upstream' });
    expect(openCursor('search', cursor, 'scope-a')).toEqual({ v: 1, s: 'scope-a', c: 'upstream' });
    expect(openCursor('mine-or-unassigned', cursor, 'scope-a')).toBeUndefined();
    expect(openCursor('search', cursor, 'scope-b')).toBeUndefined();
    const [payload, sum] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, s: 'scope-a', c: 'other' })).toString('base64url');
    expect(openCursor('search', `${forged}.${sum}`, 'scope-a')).toBeUndefined();
    expect(openCursor('search', `${payload}x.${sum}`, 'scope-a')).toBeUndefined();
    expect(openCursor('search', 'not a cursor', 'scope-a')).toBeUndefined();
  });
});
