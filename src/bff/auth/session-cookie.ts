import type { CookieSerializeOptions } from '@fastify/cookie';

export interface SessionCookieSettings {
  name: string;
  options: CookieSerializeOptions;
}

/**
 * The session cookie: HttpOnly, path /, SameSite as configured. Over TLS it is Secure with the
 * `__Host-` prefix (bound to this exact origin); on plain-HTTP localhost, where browsers refuse
 * Secure prefixed cookies from scripts' point of view, it is neither. SameSite=None (a portal on
 * another site) adds Partitioned, so the cookie lives only in that portal's partition.
 */
export function sessionCookieSettings(publicUrl: string, sameSite: 'lax' | 'strict' | 'none'): SessionCookieSettings {
  const secure = publicUrl.startsWith('https://');
  return {
    name: secure ? '__Host-rw_session' : 'rw_session',
    options: {
      httpOnly: true,
      secure,
      sameSite,
      path: '/',
      ...(sameSite === 'none' ? { partitioned: true } : {}),
    },
  };
}
