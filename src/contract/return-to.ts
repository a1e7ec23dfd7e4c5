/**
 * Where to go after signing in: only a path of this app, never another site. The check is made on
 * the path as a browser would resolve it (`/..//evil.example` resolves to `//evil.example`, a
 * link to another host), not on how it was written. Sign-in addresses lead back to `/`.
 * Used by the BFF (OIDC returnTo) and the SPA (its sign-in page) alike.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length > 2048) return '/';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (!value.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  const base = new URL('http://worklist.invalid');
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== base.origin || path.startsWith('//') || url.pathname.startsWith('/auth/')) return '/';
  return path;
}
