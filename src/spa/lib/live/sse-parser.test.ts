import { describe, expect, it } from 'vitest';
import { createSseParser } from './sse-parser.ts';
import type { SseMessage } from './sse-parser.ts';

function parse(chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = createSseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return messages;
}

describe('createSseParser', () => {
  it('reads id, event and data, and dispatches on a blank line', () => {
    expect(parse(['id: a:1-0\nevent: study.changed\ndata: {"x":1}\n\n'])).toEqual([
      { id: 'a:1-0', event: 'study.changed', data: '{"x":1}' },
    ]);
  });

  it('joins data lines, skips comments, and takes every kind of line end', () => {
    expect(parse([': keep-alive\r\n\r\n', 'event: resync\rdata: one\rdata: two\r\r\n'])).toEqual([
      { id: undefined, event: 'resync', data: 'one\ntwo' },
    ]);
  });

  it('puts a message back together across chunks, a \\r\\n split between them included', () => {
    expect(parse(['ev', 'ent: stream.status\r', '\ndata: {"status"', ':"ok"}\n', '\n'])).toEqual([
      { id: undefined, event: 'stream.status', data: '{"status":"ok"}' },
    ]);
  });

  it('names a message without an event field `message`, and drops one without data', () => {
    expect(parse(['event: nothing\n\n', 'data: x\n\n'])).toEqual([{ id: undefined, event: 'message', data: 'x' }]);
  });
});
