import { readFileSync } from 'node:fs';
import { roleFromAvaraUser } from '../../contract/actor.ts';
import type { Person } from '../../contract/worklist-api.ts';
import { parseUpstreamJson, type AvaraClient } from '../services/avara-client.ts';
import { isRole, type Identity, type Role, type SessionUser } from '../auth/session-user.ts';

/** An entry of the roster file: adds a person or overrides the role the other sources give. */
export interface RosterEntry {
  email: string;
  role: Role;
  name?: string;
}

export interface RoleMapping {
  /** Group claim values that make a coordinator (checked first), and a radiologist. */
  coordinatorGroups: string[];
  radiologistGroups: string[];
}

export interface PeopleDirectoryOptions {
  avara: AvaraClient;
  roster: RosterEntry[];
  roleMapping: RoleMapping;
  cacheMs?: number;
  now?: () => number;
}

/** Thrown when a signed-in identity is not someone the worklist knows. */
export class NotOnRosterError extends Error {}

const MAX_PAGES = 100;

/**
 * The people of the worklist: Avara's Viewer users (read through the users API, cached briefly),
 * plus the roster file. Decides who may sign in and with which role.
 */
export class PeopleDirectory {
  readonly #avara: AvaraClient;
  readonly #roster: Map<string, RosterEntry>;
  readonly #mapping: RoleMapping;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #cache: { at: number; people: Promise<Person[]> } | undefined;

  constructor(options: PeopleDirectoryOptions) {
    this.#avara = options.avara;
    this.#roster = new Map(options.roster.map((entry) => [entry.email.toLowerCase(), entry]));
    this.#mapping = options.roleMapping;
    this.#cacheMs = options.cacheMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Every Avara Viewer user, by last name. */
  async list(): Promise<Person[]> {
    const now = this.#now();
    if (!this.#cache || now - this.#cache.at > this.#cacheMs) {
      const people = this.#fetchAll();
      this.#cache = { at: now, people };
      // A failed fetch must not be cached: the next call tries again.
      people.catch(() => {
        if (this.#cache?.people === people) this.#cache = undefined;
      });
    }
    return this.#cache.people;
  }

  async findByEmail(email: string): Promise<Person | undefined> {
    const wanted = email.toLowerCase();
    return (await this.list()).find((person) => person.email.toLowerCase() === wanted);
  }

  /**
   * The session user for an identity. Role: the roster file first, then the IdP's groups, then
   * Avara's `canManageStudies`. Someone none of these knows is refused.
   */
  async resolve(identity: Identity): Promise<SessionUser> {
    const person = await this.findByEmail(identity.email);
    const rosterEntry = this.#roster.get(identity.email.toLowerCase());
    const role =
      rosterEntry?.role ?? this.#roleFromGroups(identity.groups) ?? (person ? roleFromAvaraUser(person) : undefined);
    if (!role) throw new NotOnRosterError(`${identity.email} is not a user of the worklist`);
    return {
      subject: identity.subject,
      email: person?.email ?? identity.email,
      name: rosterEntry?.name ?? (person ? displayName(person) : (identity.name ?? identity.email)),
      role,
      userId: person?.userId ?? null,
    };
  }

  #roleFromGroups(groups: string[]): Role | undefined {
    if (groups.some((group) => this.#mapping.coordinatorGroups.includes(group))) return 'coordinator';
    if (groups.some((group) => this.#mapping.radiologistGroups.includes(group))) return 'radiologist';
    return undefined;
  }

  async #fetchAll(): Promise<Person[]> {
    const people: Person[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.#avara.listUsers({ limit: 100, ...(cursor ? { cursor } : {}) });
      if (!result.ok) throw new Error(`Avara answered ${result.status} to the users list`);
      const body = parseUpstreamJson(result);
      const users = readArray(body, 'users');
      for (const user of users) {
        const person = readPerson(user);
        if (person) people.push(person);
      }
      cursor = readBoolean(body, 'hasMore') ? readString(body, 'cursor') : undefined;
      if (!cursor) break;
    }
    return people.sort((a, b) => a.lastName.localeCompare(b.lastName) || a.firstName.localeCompare(b.firstName));
  }
}

/** "Mei-Lin Chen, MD" */
export function displayName(person: Pick<Person, 'firstName' | 'lastName' | 'suffix1' | 'suffix2'>): string {
  return [[person.firstName, person.lastName].filter(Boolean).join(' '), person.suffix1, person.suffix2]
    .filter(Boolean)
    .join(', ');
}

/** Reads the roster file: `{"people": [{"email": "...", "role": "coordinator", "name": "..."}]}`. */
export function loadRosterFile(path: string | undefined): RosterEntry[] {
  if (!path) return [];
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const entries = readArray(parsed, 'people');
  return entries.map((entry, index) => {
    const email = readString(entry, 'email');
    const role: unknown = typeof entry === 'object' && entry !== null && 'role' in entry ? entry.role : undefined;
    if (!email || !isRole(role))
      throw new Error(`${path}: people[${index}] needs an email and a role (radiologist or coordinator)`);
    const name = readString(entry, 'name');
    return { email, role, ...(name ? { name } : {}) };
  });
}

function readPerson(value: unknown): Person | undefined {
  const userId = readString(value, 'userId');
  const email = readString(value, 'email');
  if (!userId || !email) return undefined;
  return {
    userId,
    email,
    firstName: readString(value, 'firstName') ?? '',
    lastName: readString(value, 'lastName') ?? '',
    // Absent, null or empty upstream: absent here, as the contract writes an empty optional field.
    middleName: readString(value, 'middleName'),
    suffix1: readString(value, 'suffix1'),
    suffix2: readString(value, 'suffix2'),
    clinicRole: readString(value, 'clinicRole') ?? '',
    canManageStudies: readBoolean(value, 'canManageStudies'),
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? Object.getOwnPropertyDescriptor(value, key)?.value
    : undefined;
}

function readString(value: unknown, key: string): string | undefined {
  const inner = field(value, key);
  return typeof inner === 'string' && inner !== '' ? inner : undefined;
}

function readBoolean(value: unknown, key: string): boolean {
  return field(value, key) === true;
}

function readArray(value: unknown, key: string): unknown[] {
  const inner = field(value, key);
  return Array.isArray(inner) ? inner : [];
}
