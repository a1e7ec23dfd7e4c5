import { http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import { PROBLEM_TYPES } from '../contract/problem.ts';
import { problemResponse, signInRequiredResponse } from './problem-response.ts';
import type { EventPerson, ReadingLease } from '../contract/worklist-events.ts';

/** How long a mock lease lives without a heartbeat (the BFF's default READING_LEASE_SECONDS). */
const LEASE_MS = 120_000;

export interface ReadingHandlersOptions {
  /** Who is signed in now, as events name people; undefined answers 401. */
  person: () => EventPerson | undefined;
  /** Sends one event to the open streams. */
  send: (event: string, data: unknown) => void;
  /** Leases held from the start (e.g. someone else reading a study). */
  leases?: readonly ReadingLease[];
}

const same = (a: EventPerson, b: EventPerson) => a.email === b.email;

/**
 * Reading leases and presence as the BFF serves them (docs/api.md), in memory, publishing the same
 * events. Who may take a lease is not checked here: the BFF's tests own that rule.
 */
export function createReadingHandlers({ person, send, leases: initial = [] }: ReadingHandlersOptions): HttpHandler[] {
  const leases = new Map(initial.map((lease) => [lease.studyId, lease]));
  const viewers = new Map<string, EventPerson[]>();
  const unauthorized = signInRequiredResponse;
  const noLease = () =>
    problemResponse({
      type: PROBLEM_TYPES.notFound,
      title: 'No reading lease',
      status: 404,
      detail: 'Nobody is reading this study.',
    });
  const held = (lease: ReadingLease) =>
    problemResponse({
      type: PROBLEM_TYPES.conflict,
      title: 'Someone else is reading this study',
      status: 409,
      detail: `${lease.holder.name} is reading it.`,
      current: lease,
    });
  const studyIdOf = (params: Record<string, unknown>) => String(params.studyId);
  const live = (lease: ReadingLease | undefined) =>
    lease && Date.parse(lease.expiresAt) > Date.now() ? lease : undefined;

  return [
    http.get('*/api/leases', () => {
      if (!person()) return unauthorized();
      return HttpResponse.json({ leases: [...leases.values()].filter((lease) => live(lease)), hasMore: false });
    }),
    http.get('*/api/studies/:studyId/lease', ({ params }) => {
      if (!person()) return unauthorized();
      const lease = live(leases.get(studyIdOf(params)));
      return lease ? HttpResponse.json({ lease }) : noLease();
    }),
    http.post('*/api/studies/:studyId/lease', async ({ params, request }) => {
      const me = person();
      if (!me) return unauthorized();
      const studyId = studyIdOf(params);
      const body: unknown = await request.json().catch(() => null);
      const takeOver = typeof body === 'object' && body !== null && 'takeOver' in body && body.takeOver === true;
      const current = live(leases.get(studyId));
      if (current && !same(current.holder, me) && !takeOver) return held(current);
      const now = Date.now();
      const lease: ReadingLease = {
        studyId,
        holder: me,
        since: current && same(current.holder, me) ? current.since : new Date(now).toISOString(),
        expiresAt: new Date(now + LEASE_MS).toISOString(),
      };
      leases.set(studyId, lease);
      const tookOverFrom = current && !same(current.holder, me) ? current.holder : undefined;
      if (!current || tookOverFrom) send('lease.taken', { lease, ...(tookOverFrom ? { tookOverFrom } : {}) });
      return HttpResponse.json({ lease, ...(tookOverFrom ? { tookOverFrom } : {}) });
    }),
    http.put('*/api/studies/:studyId/lease', ({ params }) => {
      const me = person();
      if (!me) return unauthorized();
      const current = live(leases.get(studyIdOf(params)));
      if (!current) return noLease();
      if (!same(current.holder, me)) return held(current);
      const lease = { ...current, expiresAt: new Date(Date.now() + LEASE_MS).toISOString() };
      leases.set(lease.studyId, lease);
      return HttpResponse.json({ lease });
    }),
    http.delete('*/api/studies/:studyId/lease', ({ params }) => {
      const me = person();
      if (!me) return unauthorized();
      const studyId = studyIdOf(params);
      const current = live(leases.get(studyId));
      if (!current) return noLease();
      leases.delete(studyId);
      send('lease.released', {
        studyId,
        holder: current.holder,
        reason: same(current.holder, me) ? 'released' : 'broken',
      });
      return new HttpResponse(null, { status: 204 });
    }),
    http.get('*/api/studies/:studyId/presence', ({ params }) => {
      if (!person()) return unauthorized();
      const studyId = studyIdOf(params);
      return HttpResponse.json({ studyId, viewers: viewers.get(studyId) ?? [] });
    }),
    http.put('*/api/studies/:studyId/presence', ({ params }) => {
      const me = person();
      if (!me) return unauthorized();
      const studyId = studyIdOf(params);
      const there = viewers.get(studyId) ?? [];
      if (!there.some((viewer) => same(viewer, me))) {
        there.push(me);
        viewers.set(studyId, there);
        send('presence.changed', { studyId, viewers: there });
      }
      return HttpResponse.json({ studyId, viewers: there });
    }),
    http.delete('*/api/studies/:studyId/presence', ({ params }) => {
      const me = person();
      if (!me) return unauthorized();
      const studyId = studyIdOf(params);
      const there = (viewers.get(studyId) ?? []).filter((viewer) => !same(viewer, me));
      viewers.set(studyId, there);
      send('presence.changed', { studyId, viewers: there });
      return new HttpResponse(null, { status: 204 });
    }),
  ];
}
