import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, readCappedText, safeRetryAfter } from './upstream-body.ts';

describe('readCappedText', () => {
  it('reads a body up to the limit', async () => {
    expect(await readCappedText(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), 7)).toBe('{"a":1}');
    expect(await readCappedText(Readable.from([]), 7)).toBe('');
  });

  it('keeps multi-byte characters whole across chunks', async () => {
    const bytes = Buffer.from('"Zoë"');
    expect(await readCappedText(Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]), 100)).toBe('"Zoë"');
  });

  it('stops at the first byte over the limit and destroys the stream', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 1;
        this.push(Buffer.alloc(1024, 0x20));
      },
    });
    await expect(readCappedText(endless, 10 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(endless.destroyed).toBe(true);
    expect(pulled).toBeLessThan(100);
  });

  it('refuses a declared Content-Length over the limit without reading', async () => {
    const body = Readable.from([Buffer.from('{}')]);
    await expect(readCappedText(body, 10, '11')).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(body.destroyed).toBe(true);
  });
});

describe('safeRetryAfter', () => {
  it('passes whole seconds and HTTP dates on', () => {
    expect(safeRetryAfter('30')).toBe('30');
    expect(safeRetryAfter(' 0 ')).toBe('0');
    expect(safeRetryAfter('007')).toBe('7');
    const when = new Date(Date.now() + 120_000).toUTCString();
    expect(safeRetryAfter(when)).toBe(when);
  });

  it('drops anything else', () => {
    for (const value of [
      undefined,
      '',
      'soon',
      '-1',
      '1.5',
      '1e3',
      '86401',
      'Bearer abc',
      'Wed, 31 Feb 2026 25:00:00 GMT',
      'Wed, 01 Jan 2031 00:00:00 UTC',
    ]) {
      expect(safeRetryAfter(value), String(value)).toBeUndefined();
    }
    expect(safeRetryAfter(new Date(Date.now() + 3 * 86_400_000).toUTCString())).toBeUndefined();
  });
});
