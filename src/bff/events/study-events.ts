import type { EventPerson, WorklistEventData } from '../../contract/worklist-events.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { EventBus, JsonObject, JsonValue, SharedStateLog } from '../shared-state/shared-state.ts';

/**
 * Publishes what happens to studies on the shared event bus, for `GET /api/events` on every
 * instance. A change that reached Avara is never undone or failed because its event could not be
 * published (the shared store down): that is logged, and the queue watcher finds the change later.
 */
export interface StudyEvents {
  created(study: unknown, origin: WorklistEventData['study.created']['origin'], by?: SessionUser): Promise<void>;
  changed(study: unknown, origin: WorklistEventData['study.changed']['origin'], by?: SessionUser): Promise<void>;
}

export function createStudyEvents(bus: EventBus, log: SharedStateLog): StudyEvents {
  async function publish(type: 'study.created' | 'study.changed', data: JsonObject): Promise<void> {
    try {
      await bus.publish({ type, data });
    } catch (error) {
      log.warn({ err: error, type }, 'a study event could not be published; the queue watcher will notice the change');
    }
  }
  return {
    async created(study, origin, by) {
      const value = asJsonObject(study);
      if (value) await publish('study.created', { study: value, origin, ...(by ? { by: eventPerson(by) } : {}) });
    },
    async changed(study, origin, by) {
      const value = asJsonObject(study);
      if (value) await publish('study.changed', { study: value, origin, ...(by ? { by: eventPerson(by) } : {}) });
    },
  };
}

/** Someone as events name them. */
export function eventPerson(user: Pick<SessionUser, 'userId' | 'email' | 'name'>): EventPerson & JsonObject {
  return { userId: user.userId, email: user.email, name: user.name };
}

/** A parsed JSON object (what JSON.parse gave) as a record or event value; undefined for anything else. */
export function asJsonObject(value: unknown): JsonObject | undefined {
  const json = asJsonValue(value, 0);
  return typeof json === 'object' && json !== null && !Array.isArray(json) ? json : undefined;
}

function asJsonValue(value: unknown, depth: number): JsonValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (depth > 20 || typeof value !== 'object') return undefined;
  if (Array.isArray(value))
    return value.flatMap((item) => {
      const json = asJsonValue(item, depth + 1);
      return json === undefined ? [] : [json];
    });
  const entries: Array<[string, JsonValue]> = [];
  for (const [key, inner] of Object.entries(value)) {
    const json = asJsonValue(inner, depth + 1);
    if (json !== undefined) entries.push([key, json]);
  }
  return Object.fromEntries(entries);
}
