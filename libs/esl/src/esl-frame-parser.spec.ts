// EslFrameParser (modesl's framing behind our guards), fed directly: frames, splits, limits, protocol errors.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { Parser } from 'modesl';
import { describe, expect, it } from 'vitest';
import { EslFrameParser, FEED_SLICE_BYTES, MAX_HEADER_BYTES, type EslFrame, type EslParseResult } from './esl-frame-parser';

function frames(results: EslParseResult[]): EslFrame[] {
  return results.map((result) => {
    if (result.kind !== 'frame') throw new Error(`unexpected protocol error: ${result.reason}`);
    return result.frame;
  });
}

function eventFrame(body: string, extraHeaders = ''): string {
  return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n${extraHeaders}\n${body}`;
}

function reply(text: string): string {
  return `Content-Type: command/reply\nReply-Text: ${text}\n\n`;
}

describe('EslFrameParser frames', () => {
  it('a chunk holding thousands of small frames (with and without body) gives them all, in order, without a stack overflow', () => {
    const count = 30_000;
    const wire = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? reply(`+OK ${i}`) : eventFrame(`{"n":${i}}`))).join('');
    const parsed = frames(new EslFrameParser().push(Buffer.from(wire)));
    expect(parsed).toHaveLength(count);
    expect(parsed[count - 2]?.headers['Reply-Text']).toBe(`+OK ${count - 2}`);
    expect(parsed[count - 1]?.body).toBe(`{"n":${count - 1}}`);
  });

  it('thousands of stray blank lines in one chunk are skipped (they are 2-byte frames to modesl)', () => {
    const parsed = frames(new EslFrameParser().push(Buffer.from(`${'\n\n'.repeat(50_000)}${reply('+OK')}\n${reply('+OK again')}`)));
    expect(parsed.map((frame) => frame.headers['Reply-Text'])).toEqual(['+OK', '+OK again']);
  });

  it('a 2 MiB multi-byte body arriving in 1000-byte reads, then a frame in the same read as its end', () => {
    const body = JSON.stringify({ 'Event-Name': 'CUSTOM', big: 'Иван é '.repeat(200_000) });
    const wire = Buffer.from(eventFrame(body) + reply('+OK after'));
    const parser = new EslFrameParser();
    const parsed: EslFrame[] = [];
    for (let offset = 0; offset < wire.length; offset += 1000) parsed.push(...frames(parser.push(wire.subarray(offset, offset + 1000))));
    expect(Buffer.byteLength(body)).toBeGreaterThan(2 << 20);
    expect(parsed.map((frame) => frame.body)).toEqual([body, undefined]);
    expect(parsed[1]?.headers['Reply-Text']).toBe('+OK after');
  });

  it('outer headers are kept raw (no URL-decoding, where modesl\'s own decoder throws URIError); the first duplicate wins', () => {
    const wire = Buffer.from(`Content-Type: log/data\nLog-File: %E9%ZZ\nLog-File: second\n\n`);
    const vanilla = new EventEmitter();
    new Parser(vanilla);
    expect(() => vanilla.emit('data', wire)).toThrow(URIError);

    expect(frames(new EslFrameParser().push(wire))).toEqual([{ headers: { 'Content-Type': 'log/data', 'Log-File': '%E9%ZZ' } }]);
  });

  it('Content-Length: 0 gives an empty body, a frame without Content-Length none', () => {
    const parsed = frames(new EslFrameParser().push(Buffer.from(`Content-Type: api/response\nContent-Length: 0\n\n${reply('+OK')}`)));
    expect(parsed.map((frame) => frame.body)).toEqual(['', undefined]);
  });

  it('any split of a byte stream gives the same frames as one read', () => {
    const frameText = fc.oneof(
      fc.string({ maxLength: 40 }).map((text) => reply(`+OK ${text.replace(/[\r\n]/g, ' ')}`)),
      fc.string({ unit: 'binary', maxLength: 3000 }).map((text) => eventFrame(JSON.stringify({ 'Event-Name': 'CUSTOM', text }))),
      fc.constant('\n\n'),
    );
    fc.assert(
      fc.property(fc.array(frameText, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 2 * FEED_SLICE_BYTES }), { minLength: 1 }), (texts, sizes) => {
        const wire = Buffer.from(texts.join(''));
        const whole = frames(new EslFrameParser().push(wire));
        const parser = new EslFrameParser();
        const pieces: EslFrame[] = [];
        for (let offset = 0, i = 0; offset < wire.length; i++) {
          const size = sizes[i % sizes.length] ?? 1;
          pieces.push(...frames(parser.push(wire.subarray(offset, offset + size))));
          offset += size;
        }
        expect(pieces).toEqual(whole);
        expect(whole).toHaveLength(texts.filter((text) => text !== '\n\n').length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('EslFrameParser protocol errors (the stream is out of step: the client reconnects)', () => {
  it.each([
    ['a malformed header line', 'Content-Type: command/reply\nno separator here\n\n', 'malformed header line'],
    ['a frame without Content-Type', 'Reply-Text: +OK\n\n', 'frame without Content-Type'],
    ['an event frame without Content-Length', 'Content-Type: text/event-json\n\n{}', 'text/event-json frame without Content-Length'],
    ['an api/response without Content-Length', 'Content-Type: api/response\n\n+OK', 'api/response frame without Content-Length'],
    ['a negative Content-Length', 'Content-Type: api/response\nContent-Length: -1\n\n', 'invalid Content-Length'],
    ['an exponent Content-Length', 'Content-Type: api/response\nContent-Length: 1e3\n\n', 'invalid Content-Length'],
    ['a Content-Length over the cap', 'Content-Type: api/response\nContent-Length: 9999999999\n\n', 'invalid Content-Length'],
    ['a header block over the cap', `Content-Type: x\nX: ${'y'.repeat(MAX_HEADER_BYTES)}`, 'header block too large or not terminated'],
  ])('%s', (_name, wire, reason) => {
    const parser = new EslFrameParser();
    const results = parser.push(Buffer.from(`${reply('+OK before')}${wire}`));
    expect(results).toEqual([{ kind: 'frame', frame: { headers: { 'Content-Type': 'command/reply', 'Reply-Text': '+OK before' } } }, { kind: 'protocol-error', reason }]);
    expect(parser.push(Buffer.from(reply('+OK later')))).toEqual([]);
  });

  it('a header block over the cap arriving in small reads', () => {
    const parser = new EslFrameParser();
    const results: EslParseResult[] = [];
    for (let i = 0; i < 700 && results.length === 0; i++) results.push(...parser.push(Buffer.from('X'.repeat(100))));
    expect(results).toEqual([{ kind: 'protocol-error', reason: 'header block too large or not terminated' }]);
  });
});

describe('modesl stays behind libs/esl', () => {
  it('no file outside libs/esl imports modesl', () => {
    const root = join(__dirname, '../../..');
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules' && !entry.name.startsWith('.') && entry.name !== 'dist') visit(path);
        } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !path.startsWith(join(root, 'libs/esl/'))) {
          if (/(from\s+|require\(\s*|import\(\s*)['"]modesl(\/[^'"]*)?['"]/.test(readFileSync(path, 'utf8'))) offenders.push(path);
        }
      }
    };
    ['apps', 'libs', 'test', 'bench'].forEach((dir) => {
      try {
        visit(join(root, dir));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    });
    expect(offenders).toEqual([]);
  });
});
