/** Signs in to the BFF as its first demo coordinator (dev sign-in) and returns the Cookie header to send. */
export async function signInAsCoordinator(bffUrl: string): Promise<{ cookie: string; email: string }> {
  const config: unknown = await (await fetch(`${bffUrl}/auth/config`)).json();
  const users = typeof config === 'object' && config !== null && 'demoUsers' in config && Array.isArray(config.demoUsers) ? config.demoUsers : [];
  const coordinator: unknown = users.find((user: unknown) => typeof user === 'object' && user !== null && 'role' in user && user.role === 'coordinator');
  const email = typeof coordinator === 'object' && coordinator !== null && 'username' in coordinator ? String(coordinator.username) : undefined;
  if (!email) throw new Error('The BFF lists no demo coordinator at /auth/config');
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
  if (!cookie) throw new Error('Sign-in set no cookie');
  return { cookie, email };
}
