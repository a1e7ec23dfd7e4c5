import type { Role } from '../../contract/worklist-api.ts';

export type { Role };

/** Who someone is according to the sign-in (IdP, proxy headers, or the dev picker). */
export interface Identity {
  /** Stable identifier from the sign-in source (the IdP's `sub`, the proxy's user, the demo email). */
  subject: string;
  email: string;
  name?: string;
  /** Group or role claims from the IdP or proxy, mapped to a role by configuration. */
  groups: string[];
}

/** The signed-in person as the BFF and the SPA see them. */
export interface SessionUser {
  subject: string;
  email: string;
  name: string;
  role: Role;
  /** Their Avara Viewer user (`usr_…`), matched by email; null when Avara has no such user. */
  userId: string | null;
}

export function isRole(value: unknown): value is Role {
  return value === 'radiologist' || value === 'coordinator';
}
