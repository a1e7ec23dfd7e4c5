import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An answer that stays open (the event stream): not counted as a request being answered. */
    longLived?: boolean;
  }
  interface FastifyInstance {
    /** Whether this instance is answering requests now (see registerRequestActivity). */
    readonly requestActivity: RequestActivity;
  }
}

export interface RequestActivity {
  /** Resolves once no request is being answered, or after `maxWaitMs` at the latest. */
  whenQuiet(maxWaitMs: number): Promise<void>;
  /** How many requests are being answered now. */
  answering(): number;
}

/**
 * Counts the requests this instance is answering, so that background work (the queue watcher's
 * walk of a large queue) steps back between two of its steps while people wait for answers: a burst
 * of claims is answered first, and the walk goes on in the pauses. Event streams stay open for as
 * long as a tab does and are not counted (`config.longLived`).
 */
export function registerRequestActivity(app: FastifyInstance): RequestActivity {
  let answering = 0;
  let waiting: Array<() => void> = [];
  const finished = () => {
    answering -= 1;
    if (answering > 0) return;
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
  };
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.longLived !== true) {
      answering += 1;
      // 'close' comes once for every response, whether it was sent in full or the client went away.
      reply.raw.once('close', finished);
    }
    done();
  });
  const activity: RequestActivity = {
    answering: () => answering,
    whenQuiet(maxWaitMs) {
      if (answering === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          waiting = waiting.filter((other) => other !== wake);
          resolve();
        };
        const timer = setTimeout(wake, maxWaitMs);
        timer.unref();
        waiting.push(wake);
      });
    },
  };
  app.decorate('requestActivity', activity);
  return activity;
}
