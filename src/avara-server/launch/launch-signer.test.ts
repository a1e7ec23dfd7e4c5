import { describe, expect, it } from 'vitest';
import { createLaunchSigner } from './launch-signer.ts';

const STUDY_ID = `stu_${'ab'.repeat(16)}`;

describe('launch signer', () => {
  it('signs a link that verifies until it expires', () => {
    let now = Date.parse('2026-03-01T08:00:00Z');
    const signer = createLaunchSigner({ secret: 'test secret', ttlSeconds: 300, now: () => now });
    const url = new URL(signer.launchUrl('http://127.0.0.1:4010/', STUDY_ID));
    expect(url.pathname).toBe(`/launch/${STUDY_ID}`);
    const expires = url.searchParams.get('expires');
    const signature = url.searchParams.get('signature');
    expect(Number(expires)).toBe(now / 1000 + 300);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);

    expect(signer.verify(STUDY_ID, expires, signature)).toBe('valid');
    now += 300_000;
    expect(signer.verify(STUDY_ID, expires, signature)).toBe('valid');
    now += 1000;
    expect(signer.verify(STUDY_ID, expires, signature)).toBe('expired');
  });

  it('refuses tampered, foreign or malformed links', () => {
    const signer = createLaunchSigner({ secret: 'test secret' });
    const { expires, signature } = signer.sign(STUDY_ID);
    const other = `stu_${'cd'.repeat(16)}`;
    expect(signer.verify(other, String(expires), signature)).toBe('invalid');
    expect(signer.verify(STUDY_ID, String(expires + 3600), signature)).toBe('invalid');
    expect(
      signer.verify(
        STUDY_ID,
        String(expires),
        signature.replace(/^./, (c) => (c === '0' ? '1' : '0')),
      ),
    ).toBe('invalid');
    expect(
      signer.verify(STUDY_ID, String(expires), createLaunchSigner({ secret: 'another' }).sign(STUDY_ID).signature),
    ).toBe('invalid');
    expect(signer.verify(STUDY_ID, undefined, signature)).toBe('invalid');
    expect(signer.verify(STUDY_ID, String(expires), 'zz')).toBe('invalid');
    expect(signer.verify(STUDY_ID, ['1', '2'], signature)).toBe('invalid');
  });

  it('uses a random secret when none is given, so two servers do not accept each other’s links', () => {
    const { expires, signature } = createLaunchSigner().sign(STUDY_ID);
    expect(createLaunchSigner().verify(STUDY_ID, String(expires), signature)).toBe('invalid');
  });
});
