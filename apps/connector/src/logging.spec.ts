// Log output as operators see it: masked tokens, request ids (kept only when plain, echoed in the
// response), JSON by default and pretty lines on request; HTTP lines tested through a real server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, httpLogger, maskTokenInUrl, requestIdFor } from './logging';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Collects what a logger writes. */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  get lines(): Record<string, unknown>[] {
    return this.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

describe('token masking in logged URLs', () => {
  it.each([
    ['/webapi/s3cret/makecall?first=101&second=7999', '/webapi/***/makecall?first=101&second=7999'],
    ['/webapi/s3cret', '/webapi/***'],
    ['/s3cret/recording/2026/11/28/a.mp3?expires=1&signature=ab', '/***/recording/2026/11/28/a.mp3?expires=1&signature=ab'],
    ['/health/live', '/health/live'],
    ['/metrics', '/metrics'],
  ])('%s → %s', (url, masked) => {
    expect(maskTokenInUrl(url)).toBe(masked);
  });
});

describe('request ids', () => {
  it.each(['abc-123', 'A.b_C-9', 'x'.repeat(64), '3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b'])('keeps a plain incoming id: %s', (id) => {
    expect(requestIdFor(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(65)],
    ['a space', 'a b'],
    ['a quote', 'a"b'],
    ['a line break', 'a\nlevel=60'],
    ['a brace', '{"level":60}'],
    ['non-ASCII', 'идентификатор'],
  ])('replaces an id with %s by a fresh UUID', (_why, id) => {
    expect(requestIdFor(id)).toMatch(UUID);
  });

  it('replaces a repeated header by a fresh UUID, and gives a request without one a fresh UUID', () => {
    expect(requestIdFor(['a', 'b'])).toMatch(UUID);
    expect(requestIdFor(undefined)).toMatch(UUID);
    expect(requestIdFor(undefined)).not.toBe(requestIdFor(undefined));
  });
});

describe('HTTP request lines', () => {
  const output = new Captured();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const log = httpLogger(createLogger('info', 'json', output));
    server = createServer((req, res) => log(req, res, () => res.end('ok')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function logLineFor(path: string, headers: Record<string, string> = {}): Promise<{ header: string | null; line: Record<string, unknown> }> {
    const answer = await fetch(`${base}${path}`, { headers });
    await answer.text();
    const header = answer.headers.get('x-request-id');
    for (let i = 0; i < 50 && !output.lines.some((line) => (line.req as { id?: string } | undefined)?.id === header); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const line = output.lines.find((entry) => (entry.req as { id?: string } | undefined)?.id === header);
    if (!line) throw new Error(`no log line with request id ${String(header)} in:\n${output.text}`);
    return { header, line };
  }

  it('logs and returns the caller\'s plain X-Request-Id', async () => {
    const { header, line } = await logLineFor('/webapi/s3cret/makecall?first=101', { 'X-Request-Id': 'crm-req-42' });
    expect(header).toBe('crm-req-42');
    expect(line).toMatchObject({ req: { id: 'crm-req-42', method: 'GET', url: '/webapi/***/makecall?first=101' }, res: { statusCode: 200 } });
    expect(JSON.stringify(line)).not.toContain('s3cret');
  });

  it('logs and returns a fresh id instead of one that is not plain', async () => {
    const { header, line } = await logLineFor('/webapi/s3cret/makecall', { 'X-Request-Id': '{"level":60} injected' });
    expect(header).toMatch(UUID);
    expect((line.req as { id: string }).id).toBe(header);
    expect(output.text).not.toContain('injected');
  });

  it('gives a request without X-Request-Id its own', async () => {
    const { header } = await logLineFor('/webapi/s3cret/makecall');
    expect(header).toMatch(UUID);
  });
});

describe('log formats', () => {
  it('writes one JSON object a line by default', () => {
    const output = new Captured();
    createLogger('info', 'json', output).info({ context: 'Test' }, 'hello json');
    expect(output.lines).toEqual([expect.objectContaining({ msg: 'hello json', context: 'Test', level: 30 })]);
  });

  it('writes readable lines with LOG_FORMAT=pretty', async () => {
    const output = new Captured();
    createLogger('info', 'pretty', output).info({ context: 'Test' }, 'hello pretty');
    for (let i = 0; i < 50 && !output.text.includes('hello pretty'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(output.text).toMatch(/INFO.*hello pretty/);
    expect(() => JSON.parse(output.text.split('\n')[0])).toThrow();
  });
});
