import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startRecordingUpstream, type RecordingUpstream } from '../../../test/support/recording-upstream.ts';
import { DEMO_COORDINATOR, DEMO_RADIOLOGIST, usersPageFixture } from '../../../test/support/study-fixture.ts';
import { createAvaraClient, type AvaraClient } from '../services/avara-client.ts';
import { NotOnRosterError, PeopleDirectory, loadRosterFile } from './people-directory.ts';

let upstream: RecordingUpstream;
let avara: AvaraClient;

beforeAll(async () => {
  upstream = await startRecordingUpstream(json(200, usersPageFixture()));
  avara = createAvaraClient({ baseUrl: upstream.url, apiKey: 'people-test-key-01', timeoutMs: 1000, retries: 0 });
});

afterAll(async () => {
  await avara.close();
  await upstream.close();
});

function directory(
  roster = loadRosterFile(undefined),
  groups = { coordinatorGroups: ['rad-coord'], radiologistGroups: ['rad-staff'] },
) {
  return new PeopleDirectory({ avara, roster, roleMapping: groups });
}

describe('who gets which role', () => {
  it('follows Avara canManageStudies by default, matching email case-insensitively', async () => {
    const people = directory();
    await expect(
      people.resolve({ subject: 's1', email: DEMO_COORDINATOR.email.toUpperCase(), groups: [] }),
    ).resolves.toMatchObject({
      role: 'coordinator',
      userId: DEMO_COORDINATOR.userId,
      email: DEMO_COORDINATOR.email,
    });
    await expect(people.resolve({ subject: 's2', email: DEMO_RADIOLOGIST.email, groups: [] })).resolves.toMatchObject({
      role: 'radiologist',
      name: 'Riley Radiologist, MD',
    });
  });

  it('lets IdP groups override Avara, and the roster file override both', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'roster-'));
    const file = join(folder, 'roster.json');
    writeFileSync(
      file,
      JSON.stringify({
        people: [
          { email: DEMO_COORDINATOR.email, role: 'radiologist' },
          { email: 'locum@example.org', role: 'radiologist', name: 'Dr Locum' },
        ],
      }),
    );
    const people = directory(loadRosterFile(file));
    await expect(
      people.resolve({ subject: 's', email: DEMO_RADIOLOGIST.email, groups: ['rad-coord'] }),
    ).resolves.toMatchObject({ role: 'coordinator' });
    await expect(
      people.resolve({ subject: 's', email: DEMO_COORDINATOR.email, groups: ['rad-coord'] }),
    ).resolves.toMatchObject({ role: 'radiologist' });
    // The roster adds someone Avara does not know; they have no Avara user to be assigned as.
    await expect(people.resolve({ subject: 's', email: 'locum@example.org', groups: [] })).resolves.toEqual({
      subject: 's',
      email: 'locum@example.org',
      name: 'Dr Locum',
      role: 'radiologist',
      userId: null,
    });
  });

  it('refuses someone no source knows', async () => {
    await expect(
      directory().resolve({ subject: 's', email: 'stranger@example.org', groups: ['visitors'] }),
    ).rejects.toBeInstanceOf(NotOnRosterError);
  });

  it('says what is wrong with a bad roster file', () => {
    const folder = mkdtempSync(join(tmpdir(), 'roster-'));
    const file = join(folder, 'roster.json');
    writeFileSync(file, JSON.stringify({ people: [{ email: 'a@b.org', role: 'admin' }] }));
    expect(() => loadRosterFile(file)).toThrow(/people\[0\] needs an email and a role/);
  });

  it('reads the roster from Avara once per cache period', async () => {
    upstream.requests.length = 0;
    const people = directory();
    await people.list();
    await people.list();
    expect(upstream.requests).toHaveLength(1);
  });
});

describe('reading the people Avara lists', () => {
  it('takes an empty name part as absent or null alike, and ignores fields it does not know', async () => {
    const own = await startRecordingUpstream(
      json(200, {
        users: [
          {
            userId: `usr_${'1'.repeat(32)}`,
            email: 'a@example.org',
            firstName: 'Ada',
            lastName: 'Byron',
            middleName: null,
            suffix1: null,
            suffix2: null,
            phoneNumber: null,
            clinicRole: 'Radiologist',
            canManageStudies: false,
            invitedSource: null,
            somethingNew: { x: 1 },
          },
          {
            userId: `usr_${'2'.repeat(32)}`,
            email: 'b@example.org',
            firstName: 'Bo',
            lastName: 'Chen',
            clinicRole: 'Patient Care Coordinator',
            canManageStudies: true,
          },
          {
            userId: `usr_${'3'.repeat(32)}`,
            email: 'c@example.org',
            firstName: 'Cy',
            lastName: 'Dee',
            suffix1: 'MD',
            clinicRole: 'A role Avara adds later',
            canManageStudies: false,
          },
        ],
        hasMore: false,
        cursor: null,
      }),
    );
    const client = createAvaraClient({ baseUrl: own.url, apiKey: 'people-test-key-02', timeoutMs: 1000, retries: 0 });
    try {
      const people = new PeopleDirectory({
        avara: client,
        roster: [],
        roleMapping: { coordinatorGroups: [], radiologistGroups: [] },
      });
      const listed = await people.list();
      expect(listed.map((person) => person.email)).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
      for (const person of listed) {
        expect(Object.values(person)).not.toContain(null);
        expect(person).not.toHaveProperty('somethingNew');
      }
      expect(listed[2]).toMatchObject({ suffix1: 'MD', clinicRole: 'A role Avara adds later' });
      await expect(people.resolve({ subject: 's', email: 'b@example.org', groups: [] })).resolves.toMatchObject({
        role: 'coordinator',
        name: 'Bo Chen',
      });
      await expect(people.resolve({ subject: 's', email: 'a@example.org', groups: [] })).resolves.toMatchObject({
        role: 'radiologist',
        name: 'Ada Byron',
      });
    } finally {
      await client.close();
      await own.close();
    }
  });
});
