/** A demo user as the dev sign-in page lists them (`GET /auth/config`). */
export interface DemoUser {
  username: string;
  name: string;
  role: 'coordinator' | 'radiologist';
  /** Avara's clinic role ("Radiologist", "Patient Care Coordinator", "Imaging Technologist", …). */
  clinicRole: string;
}

/** The people the dev sign-in offers (every Avara Viewer user of the bundled server). */
export async function demoUsers(bffUrl: string): Promise<DemoUser[]> {
  const response = await fetch(`${bffUrl}/auth/config`);
  if (!response.ok) throw new Error(`${bffUrl}/auth/config answered ${response.status}`);
  const config: unknown = await response.json();
  const users =
    typeof config === 'object' && config !== null && 'demoUsers' in config && Array.isArray(config.demoUsers)
      ? config.demoUsers
      : [];
  return users.flatMap((user: unknown): DemoUser[] => {
    if (typeof user !== 'object' || user === null || !('username' in user) || typeof user.username !== 'string')
      return [];
    const role = 'role' in user && user.role === 'coordinator' ? 'coordinator' : 'radiologist';
    const name = 'name' in user && typeof user.name === 'string' ? user.name : user.username;
    const clinicRole = 'clinicRole' in user && typeof user.clinicRole === 'string' ? user.clinicRole : '';
    return [{ username: user.username, name, role, clinicRole }];
  });
}

/** Signs in to the BFF as `email` (dev sign-in) and returns the Cookie header to send. */
export async function signIn(bffUrl: string, email: string): Promise<string> {
  const response = await fetch(`${bffUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf': '1' },
    body: JSON.stringify({ username: email }),
  });
  if (!response.ok) throw new Error(`Sign-in as ${email} answered ${response.status}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0] ?? '')
    .filter((pair) => pair !== '')
    .join('; ');
  if (!cookie) throw new Error(`Sign-in as ${email} set no cookie`);
  return cookie;
}

/** Signs in to the BFF as its first demo coordinator (dev sign-in) and returns the Cookie header to send. */
export async function signInAsCoordinator(bffUrl: string): Promise<{ cookie: string; email: string }> {
  const coordinator = (await demoUsers(bffUrl)).find((user) => user.role === 'coordinator');
  if (!coordinator) throw new Error('The BFF lists no demo coordinator at /auth/config');
  return { cookie: await signIn(bffUrl, coordinator.username), email: coordinator.username };
}
