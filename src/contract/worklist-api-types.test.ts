/**
 * The types the SPA and the BFF share that are not aliases of the generated API document's types
 * (worklist-api.gen.ts) equal them: a change on either side that the other does not make fails the
 * typecheck (these assertions are checked by tsc; at run time they only count as one test).
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { WorklistEvent } from './worklist-events.ts';
import type { components } from './worklist-api.gen.ts';
import type { NextStep } from './worklist-api.ts';
import type { Study } from './avara-types.ts';

type Schemas = components['schemas'];
type DocumentedEvent = Schemas['WorklistEventMessage'];

describe('the shared API types and the API document', () => {
  it('agree on the Next-study steps, the event messages and the Avara study relayed', () => {
    expectTypeOf<NextStep>().toEqualTypeOf<Schemas['NextStep']>();
    // Each event as the SPA receives it (`type`) is the document's message (`event`) of that name.
    expectTypeOf<{ [E in WorklistEvent as E['type']]: E['data'] }>().toEqualTypeOf<{
      [M in DocumentedEvent as M['event']]: M['data'];
    }>();
    expectTypeOf<Schemas['Study']>().toEqualTypeOf<Study>();
  });
});
