import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { openWorklist } from './support/worklist.ts';

/*
 * Next study hands out work on the server: five radiologists pressing it at the same moment each
 * get a study of their own, and each the one the rule names for them: their own oldest unread STAT,
 * else the oldest unassigned STAT nobody else took.
 */

const CSRF = { 'x-csrf': '1' };

interface DemoUser {
  username: string;
  name: string;
  role: 'coordinator' | 'radiologist';
}

interface ListedStudy {
  studyId: string;
  createdAt: string;
  assignedTo: { userId: string } | null;
}

interface Reader {
  user: DemoUser;
  userId: string;
  context: BrowserContext;
  page: Page;
}

async function reader(browser: Browser, baseURL: string, user: DemoUser): Promise<Reader> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  const response = await page.request.post('/auth/login', { headers: CSRF, data: { username: user.username } });
  expect(response.status()).toBe(200);
  const me: { userId: string | null } = await (await page.request.get('/api/me', { headers: CSRF })).json();
  if (!me.userId) throw new Error(`${user.name} has no Avara user`);
  return { user, userId: me.userId, context, page };
}

/** Every unread, not cancelled STAT study for `assignedTo` ('' is unassigned), oldest first. */
async function statStudies(page: Page, assignedTo: string): Promise<ListedStudy[]> {
  const studies: ListedStudy[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string> = {
      severity: 'stat',
      studyViewerStatus: 'incomplete',
      isCancelled: 'false',
      assignedTo,
      limit: '100',
    };
    if (cursor) query.cursor = cursor;
    const response = await page.request.get('/api/studies', { headers: CSRF, params: query });
    expect(response.status()).toBe(200);
    const body: { studies: ListedStudy[]; hasMore: boolean; cursor: string | null } = await response.json();
    studies.push(...body.studies);
    cursor = body.hasMore ? body.cursor : null;
  } while (cursor);
  return studies;
}

async function liveLeases(page: Page): Promise<Set<string>> {
  const body: { leases: Array<{ studyId: string }> } = await (
    await page.request.get('/api/leases', { headers: CSRF })
  ).json();
  return new Set(body.leases.map((lease) => lease.studyId));
}

test('Next study from five browsers at once: five different studies, each the rule’s first for its reader', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  if (!baseURL) throw new Error('No baseURL');
  const setup = await browser.newContext({ baseURL });
  const config: { demoUsers?: DemoUser[] } = await (await setup.request.get('/auth/config')).json();
  // Not the first radiologist: other specs read as them (and would hold a lease of theirs).
  const radiologists = (config.demoUsers ?? []).filter((user) => user.role === 'radiologist').slice(1, 6);
  expect(radiologists).toHaveLength(5);
  await setup.close();

  const coordinatorUser = (config.demoUsers ?? []).find((user) => user.role === 'coordinator');
  if (!coordinatorUser) throw new Error('The demo roster has no coordinator');
  const readers = await Promise.all(radiologists.map((user) => reader(browser, baseURL, user)));
  const claimed: string[] = [];
  const first = readers[0];
  if (!first) throw new Error('No reader');
  try {
    // What the queue holds before anyone presses Next: leased studies are never handed out.
    const leased = await liveLeases(first.page);
    const free = (studies: ListedStudy[]) => studies.filter((study) => !leased.has(study.studyId));
    const pool = free(await statStudies(first.page, ''));
    const own = new Map(
      await Promise.all(
        readers.map(async (person) => [person.userId, free(await statStudies(person.page, person.userId))] as const),
      ),
    );

    await Promise.all(readers.map((person) => openWorklist(person.page)));
    for (const person of readers) await expect(person.page.getByRole('button', { name: 'Next study' })).toBeVisible();

    // Everyone at once: each press opens the viewer in a new tab and the drawer on the study.
    const taken = await Promise.all(
      readers.map(async (person) => {
        const viewer = person.context.waitForEvent('page');
        const answer = person.page.waitForResponse(
          (response) => new URL(response.url()).pathname === '/api/reading/next',
        );
        await person.page.getByRole('button', { name: 'Next study' }).first().click();
        const body: { study: { studyId: string } | null; step?: string; claimed?: boolean } = await (
          await answer
        ).json();
        await viewer;
        await expect(person.page).toHaveURL(new RegExp(`/studies/${body.study?.studyId ?? 'none'}`));
        return { person, studyId: body.study?.studyId, step: body.step };
      }),
    );

    const ids = taken.map((entry) => entry.studyId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(5);
    // The rule for each: their own oldest free STAT if they have one; otherwise an unassigned STAT.
    const fromPool: string[] = [];
    for (const { studyId, step } of taken) if (step === 'unassigned-stat' && studyId) claimed.push(studyId);
    for (const { person, studyId, step } of taken) {
      const mine = own.get(person.userId) ?? [];
      if (mine.length > 0) {
        expect(step).toBe('own-stat');
        expect(studyId).toBe(mine[0]?.studyId);
      } else {
        expect(step).toBe('unassigned-stat');
        fromPool.push(studyId ?? '');
      }
    }
    // Those drawing from the unassigned STAT studies took the oldest ones, whoever got which.
    expect(new Set(fromPool)).toEqual(new Set(pool.slice(0, fromPool.length).map((study) => study.studyId)));
    // Each holds the reading lease of their study, shown in the drawer.
    const leases = await liveLeases(first.page);
    for (const id of ids) expect(leases.has(id ?? '')).toBe(true);
  } finally {
    // Leave the queue as it was for the other specs: leases released, claimed studies unassigned.
    for (const person of readers) {
      const url = new URL(person.page.url());
      const studyId = url.pathname.startsWith('/studies/') ? url.pathname.split('/').at(-1) : undefined;
      if (!studyId) continue;
      await person.page.request.delete(`/api/studies/${studyId}/lease`, { headers: CSRF });
    }
    const coordinator = await reader(browser, baseURL, coordinatorUser);
    for (const studyId of claimed) {
      await coordinator.page.request.patch(`/api/studies/${studyId}`, {
        headers: { ...CSRF, 'if-match': '*' },
        data: { assignedTo: null },
      });
    }
    await coordinator.context.close();
    await Promise.all(readers.map((person) => person.context.close()));
  }
});
