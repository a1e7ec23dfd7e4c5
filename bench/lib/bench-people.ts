import { randomBytes } from 'node:crypto';
import { openSqliteRepository } from '../../src/avara-server/store/sqlite-repository.ts';

const DOMAIN = 'bench.example';

/**
 * Adds radiologists to the bundled server's users (its SQLite file, next to the running server: WAL
 * mode lets both write) until it has `total` radiologists who may claim. The demo roster has ten; a
 * claim needs a person's own Avara user (`usr_…`), which a roster-file entry alone does not give
 * (the BFF then has no user ID for them and lets them change nothing), so the extra people are Avara
 * users too. Returns the e-mail addresses of every radiologist, demo ones first.
 */
export function ensureRadiologists(databasePath: string, total: number): string[] {
  const repository = openSqliteRepository(databasePath);
  try {
    const users = [];
    for (let page = repository.listUsers({}, 0, 100); page.length > 0;) {
      users.push(...page);
      const last = page.at(-1);
      page = last ? repository.listUsers({}, last.seq, 100) : [];
    }
    const radiologists = users
      .filter((user) => user.clinicRole === 'Radiologist' && !user.canManageStudies)
      .map((user) => user.email);
    const now = new Date().toISOString();
    for (let index = radiologists.length + 1; radiologists.length < total; index += 1) {
      const email = `bench.radiologist.${String(index).padStart(3, '0')}@${DOMAIN}`;
      if (users.some((user) => user.email === email)) continue;
      repository.insertUser({
        userId: `usr_${randomBytes(16).toString('hex')}`,
        email,
        firstName: 'Bench',
        lastName: `Radiologist ${index}`,
        suffix1: 'MD',
        clinicRole: 'Radiologist',
        level: 'member',
        canManageStudies: false,
        hasDashboardAccess: true,
        createdAt: now,
        lastLoginAt: null,
        invitedSource: 'api',
      });
      radiologists.push(email);
    }
    return radiologists.slice(0, total);
  } finally {
    repository.close();
  }
}
