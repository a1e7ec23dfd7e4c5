import type { Study } from '../../src/contract/avara-types.ts';
import { runBulkChange, type StudyRequest } from '../../src/spa/features/bulk/lib/bulk-change.ts';
import { createStudy, field, upstreamStudy } from '../lib/live-api.ts';
import { ms } from '../lib/stats.ts';
import { row, type BenchRow } from '../lib/table.ts';

export interface BulkOptions {
  bffUrl: string;
  upstreamUrl: string;
  apiKey: string;
  /** A coordinator's session on the BFF. */
  cookie: string;
  studies: number;
  log: (message: string) => void;
}

/**
 * Figure 12: a coordinator assigns a set of new studies to one radiologist in one bulk change, the
 * way the SPA makes it (src/spa/features/bulk/lib/bulk-change.ts: one single-study PATCH per study,
 * four at a time, each with the version confirmed as If-Match; docs/decisions/033), timed from the
 * confirmation to the last answer. Afterwards every study must be assigned to that radiologist at the
 * upstream.
 */
export async function measureBulkAssign(options: BulkOptions): Promise<BenchRow[]> {
  const { bffUrl, cookie } = options;
  const headers = { cookie, 'x-csrf': '1', accept: 'application/json' };
  const users = field(await (await fetch(`${bffUrl}/api/users`, { headers })).json(), 'users');
  const radiologist = Array.isArray(users)
    ? users.find((user: unknown) => field(user, 'clinicRole') === 'Radiologist')
    : undefined;
  const userId = field(radiologist, 'userId');
  if (typeof userId !== 'string') throw new Error('The BFF lists no radiologist to assign to');
  const created = await Promise.all(
    Array.from({ length: options.studies }, (_, index) =>
      createStudy(options.upstreamUrl, options.apiKey, `Bulk assign ${index + 1}`, 'normal'),
    ),
  );
  // The studies as the coordinator's list shows them (the versions the confirmation keeps).
  const studies = await Promise.all(created.map(async ({ studyId }) => readStudy(bffUrl, headers, studyId)));
  const send = async (study: Study, request: StudyRequest) => {
    if (request.method !== 'PATCH') throw new Error('Only assignments are timed here');
    const response = await fetch(`${bffUrl}/api/studies/${study.studyId}`, {
      method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/json', 'if-match': `"${study.updatedAt}"` },
      body: JSON.stringify(request.body),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`PATCH answered ${response.status}`);
  };
  const began = performance.now();
  const outcomes = await runBulkChange(studies, { kind: 'assign', userId, name: 'the radiologist' }, send);
  const took = performance.now() - began;
  const changed = outcomes.filter((outcome) => outcome.status === 'changed').length;
  let assigned = 0;
  for (const { studyId } of created) {
    if (
      field(field(await upstreamStudy(options.upstreamUrl, options.apiKey, studyId), 'assignedTo'), 'userId') === userId
    )
      assigned += 1;
  }
  options.log(
    `bulk assign of ${options.studies} studies: ${took.toFixed(0)} ms, ${changed} changed, ${assigned} assigned at the upstream`,
  );
  return [
    row(
      '12',
      `Bulk assign of ${options.studies} studies, confirmation to last answer (one PATCH per study, 4 at a time)`,
      ms(took, 0),
      '< 3 s',
      took < 3_000 && changed === options.studies,
    ),
    row(
      '12',
      `Studies of the bulk assign assigned at the upstream afterwards`,
      `${assigned} of ${options.studies}`,
      `all`,
      assigned === options.studies,
      true,
    ),
  ];
}

async function readStudy(bffUrl: string, headers: Record<string, string>, studyId: string): Promise<Study> {
  const response = await fetch(`${bffUrl}/api/studies/${studyId}`, { headers });
  const body: unknown = await response.json();
  if (!response.ok || !isStudy(body)) throw new Error(`Reading ${studyId} through the BFF answered ${response.status}`);
  return body;
}

function isStudy(value: unknown): value is Study {
  return (
    typeof field(value, 'studyId') === 'string' &&
    typeof field(value, 'updatedAt') === 'string' &&
    typeof field(value, 'studyDescription') === 'string'
  );
}
