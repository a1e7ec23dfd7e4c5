import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorklistEvent } from '../../../contract/worklist-events.ts';
import type { OpenStream, StreamHandlers } from './event-stream-transport.ts';
import { statStudy } from '../../testing/study-factory.ts';
import { createLiveEvents } from './live-events.ts';

/** A stand-in for the server's stream: each open() is one connection the test drives. */
class FakeEventSource {
  static connections: FakeEventSource[] = [];
  closed = false;
  readonly lastEventId: string | null;
  readonly handlers: StreamHandlers;
  constructor(lastEventId: string | null, handlers: StreamHandlers) {
    this.lastEventId = lastEventId;
    this.handlers = handlers;
    FakeEventSource.connections.push(this);
  }
  static open: OpenStream = ({ lastEventId }, handlers) => {
    const source = new FakeEventSource(lastEventId, handlers);
    return { close: () => void (source.closed = true) };
  };
  static latest(): FakeEventSource {
    const latest = FakeEventSource.connections.at(-1);
    if (!latest) throw new Error('no connection yet');
    return latest;
  }
  accept() {
    this.handlers.onOpen();
  }
  send(event: string, data: unknown, id?: string) {
    this.handlers.onActivity();
    this.handlers.onMessage({ id, event, data: typeof data === 'string' ? data : JSON.stringify(data) });
  }
  end(status?: number) {
    this.handlers.onEnd(status === undefined ? {} : { status });
  }
}

const study = statStudy();

function setup() {
  const live = createLiveEvents({ open: FakeEventSource.open, random: () => 0.5 });
  const events: WorklistEvent[] = [];
  live.subscribe((event) => events.push(event));
  return { live, events };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00.000Z') });
  FakeEventSource.connections = [];
});
afterEach(() => vi.useRealTimers());

describe('liveEvents', () => {
  it('connects once, goes live on open, and hands out well-formed events in order', () => {
    const { live, events } = setup();
    live.start();
    live.start();
    expect(FakeEventSource.connections).toHaveLength(1);
    expect(live.getSnapshot().state).toBe('connecting');
    const source = FakeEventSource.latest();
    source.accept();
    expect(live.getSnapshot()).toMatchObject({ state: 'live', connectedAt: Date.now(), degraded: false });
    source.send('stream.status', { status: 'ok' }, 'h:1-0');
    source.send('study.changed', { study, origin: 'worklist' }, 'h:2-0');
    expect(events.map((event) => [event.type, event.id])).toEqual([
      ['stream.status', 'h:1-0'],
      ['study.changed', 'h:2-0'],
    ]);
    expect(live.getSnapshot().lastEventAt).toBe(Date.now());
  });

  it('drops malformed events without breaking the stream', () => {
    const { live, events } = setup();
    live.start();
    const source = FakeEventSource.latest();
    source.accept();
    source.send('study.changed', 'not json{', 'h:1-0');
    source.send('study.changed', { study: { ...study, severity: 'urgent' }, origin: 'worklist' }, 'h:2-0');
    source.send('study.created', { study, origin: 'somewhere' }, 'h:3-0');
    source.send('no.such.type', { study }, 'h:4-0');
    source.send('stream.status', { status: 'fine' });
    source.send('study.created', { study, origin: 'pacs' }, 'h:5-0');
    expect(events.map((event) => event.type)).toEqual(['study.created']);
    expect(live.getSnapshot().state).toBe('live');
  });

  it('keeps a listener that throws from stopping the others', () => {
    const { live, events } = setup();
    live.subscribe(() => {
      throw new Error('bug');
    });
    const later: string[] = [];
    live.subscribe((event) => later.push(event.type));
    const errors = vi.fn();
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = errors;
    try {
      live.start();
      FakeEventSource.latest().accept();
      FakeEventSource.latest().send('resync', { reason: 'test' }, 'h:1-0');
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(events).toHaveLength(1);
    expect(later).toEqual(['resync']);
    expect(errors).toHaveBeenCalledOnce();
  });

  it('reconnects with a growing delay, resumes after the last id, and says offline after three failures', () => {
    const { live } = setup();
    live.start();
    const first = FakeEventSource.latest();
    first.accept();
    first.send('study.changed', { study, origin: 'worklist' }, 'h:7-0');
    first.send('stream.status', { status: 'ok' });
    const droppedAt = Date.now();
    first.end();
    expect(live.getSnapshot()).toMatchObject({ state: 'reconnecting', connectedAt: null, currentAt: droppedAt });

    vi.advanceTimersByTime(999);
    expect(FakeEventSource.connections).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.latest().lastEventId).toBe('h:7-0');
    FakeEventSource.latest().end(502);
    vi.advanceTimersByTime(2_000);
    FakeEventSource.latest().end(502);
    expect(live.getSnapshot().state).toBe('offline');
    vi.advanceTimersByTime(3_999);
    expect(FakeEventSource.connections).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.connections).toHaveLength(4);
    FakeEventSource.latest().accept();
    expect(live.getSnapshot()).toMatchObject({ state: 'live' });
  });

  it('takes a silent stream for dead and reconnects', () => {
    const { live } = setup();
    live.start();
    const source = FakeEventSource.latest();
    source.accept();
    vi.advanceTimersByTime(40_000);
    source.handlers.onActivity();
    vi.advanceTimersByTime(40_000);
    expect(source.closed).toBe(false);
    vi.advanceTimersByTime(5_000);
    expect(source.closed).toBe(true);
    expect(live.getSnapshot().state).toBe('reconnecting');
  });

  it('follows stream.status degraded and ok', () => {
    const { live } = setup();
    live.start();
    const source = FakeEventSource.latest();
    source.accept();
    source.send('stream.status', { status: 'degraded' });
    expect(live.getSnapshot().degraded).toBe(true);
    source.send('stream.status', { status: 'ok' });
    expect(live.getSnapshot().degraded).toBe(false);
  });

  it('announces a resync when it reconnects with no position to resume from', () => {
    const { live, events } = setup();
    live.start();
    FakeEventSource.latest().accept();
    FakeEventSource.latest().end();
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.latest().lastEventId).toBeNull();
    FakeEventSource.latest().accept();
    expect(events.map((event) => event.type)).toEqual(['resync']);
  });

  it('stop closes the stream, ignores what the old connection says, and forgets the position', () => {
    const { live, events } = setup();
    live.start();
    const source = FakeEventSource.latest();
    source.accept();
    source.send('study.changed', { study, origin: 'worklist' }, 'h:1-0');
    live.stop();
    expect(source.closed).toBe(true);
    expect(live.getSnapshot().state).toBe('offline');
    source.send('study.changed', { study, origin: 'worklist' }, 'h:2-0');
    source.end();
    vi.advanceTimersByTime(60_000);
    expect(events).toHaveLength(1);
    expect(FakeEventSource.connections).toHaveLength(1);
    live.start();
    expect(FakeEventSource.latest().lastEventId).toBeNull();
  });
});
