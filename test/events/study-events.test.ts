import { afterAll, describe, expect, it } from 'vitest';
import { createStudyEvents } from '../../src/bff/events/study-events.ts';
import { noLog, type BusEvent, type SharedState } from '../../src/bff/shared-state/shared-state.ts';
import { testSharedState } from '../support/test-bff.ts';

const opened: SharedState[] = [];
afterAll(async () => {
  for (const shared of opened) await shared.close();
});

describe('study events', () => {
  it('name who created or changed a study through the worklist, so their own screen need not alert them', async () => {
    const shared = await testSharedState();
    opened.push(shared);
    const heard: BusEvent[] = [];
    const stop = await shared.events.subscribe({ onEvent: (event) => void heard.push(event) });
    const events = createStudyEvents(shared.events, noLog);
    const user = {
      subject: 'dr-a',
      email: 'a@example.org',
      name: 'Dr A',
      role: 'coordinator' as const,
      userId: 'usr_a',
    };
    await events.created({ studyId: 'stu_1' }, 'worklist', user);
    await events.created({ studyId: 'stu_2' }, 'pacs');
    await events.changed({ studyId: 'stu_1' }, 'worklist', user);
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    const by = { userId: 'usr_a', email: 'a@example.org', name: 'Dr A' };
    expect(heard.map((event) => [event.type, event.data])).toEqual([
      ['study.created', { study: { studyId: 'stu_1' }, origin: 'worklist', by }],
      ['study.created', { study: { studyId: 'stu_2' }, origin: 'pacs' }],
      ['study.changed', { study: { studyId: 'stu_1' }, origin: 'worklist', by }],
    ]);
  });
});
