// The few API calls the live figures make: studies created straight at the bundled server (as the
// PACS sync would), changes and the signed-in person through a BFF.

import { request } from 'undici';

export interface CreatedStudy {
  studyId: string;
  updatedAt: string;
}

let uidCounter = 0;

/** A new unassigned study, created at the upstream with its key. */
export async function createStudy(
  upstreamUrl: string,
  apiKey: string,
  description: string,
  severity: 'stat' | 'high' | 'normal' = 'stat',
): Promise<CreatedStudy> {
  uidCounter += 1;
  const response = await fetch(`${upstreamUrl}/v1/viewer/studies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      severity,
      studyDescription: description,
      studyInstanceUid: `1.2.826.0.1.3680043.10.1.${Date.now()}.${process.pid}.${uidCounter}`,
    }),
  });
  const body: unknown = await response.json();
  const studyId = field(body, 'studyId');
  const updatedAt = field(body, 'updatedAt');
  if (!response.ok || typeof studyId !== 'string' || typeof updatedAt !== 'string')
    throw new Error(`Creating a study answered ${response.status}`);
  return { studyId, updatedAt };
}

/** The study as the upstream has it now. */
export async function upstreamStudy(
  upstreamUrl: string,
  apiKey: string,
  studyId: string,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${upstreamUrl}/v1/viewer/studies/${studyId}`, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`Reading ${studyId} answered ${response.status}`);
  const body: unknown = await response.json();
  return typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
}

/**
 * `PATCH /api/studies/:id` through a BFF, as a browser sends it; resolves with the status once the
 * whole answer is in. Sent with undici's own `request` rather than `fetch`: the claimers share the
 * machine's cores with the servers they measure, and `request` costs a fraction of `fetch`'s CPU per
 * call, so less of what the bench adds ends up in the figures.
 */
export async function patchStudy(
  bffUrl: string,
  cookie: string,
  studyId: string,
  ifMatch: string,
  changes: Record<string, unknown>,
): Promise<{ status: number; body: string }> {
  const response = await request(`${bffUrl}/api/studies/${studyId}`, {
    method: 'PATCH',
    headers: {
      cookie,
      'x-csrf': '1',
      'content-type': 'application/json',
      accept: 'application/json',
      'if-match': ifMatch,
    },
    body: JSON.stringify(changes),
  });
  return { status: response.statusCode, body: await response.body.text() };
}

/** The signed-in person's Avara user ID (`GET /api/me`). */
export async function userIdOf(bffUrl: string, cookie: string): Promise<string> {
  const response = await fetch(`${bffUrl}/api/me`, { headers: { cookie, 'x-csrf': '1', accept: 'application/json' } });
  const body: unknown = await response.json();
  const userId = field(body, 'userId');
  if (!response.ok || typeof userId !== 'string')
    throw new Error(`/api/me answered ${response.status} without a user ID`);
  return userId;
}

export function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value
    ? Object.getOwnPropertyDescriptor(value, key)?.value
    : undefined;
}
