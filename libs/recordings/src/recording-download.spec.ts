// Recording downloads over real HTTP: bytes, ranges, caching headers, tokens, signed links, and a
// traversal suite that must never return a byte from outside RECORDINGS_DIR.
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingDownloadModule, RecordingLinks } from './index';

const TOKEN = 'rec-secret-token';
const SECRET = 'TOP-SECRET-CONTENT-outside-the-recordings-dir';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends the path exactly as given (fetch would normalise "..", hiding the attack). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(links: RecordingLinks): Promise<{ app: INestApplication; port: number }> {
  const moduleRef = await Test.createTestingModule({ imports: [RecordingDownloadModule.forRoot(links, TOKEN)] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, port: address.port };
}

describe('recording downloads', () => {
  let root: string;
  let dir: string;
  let mp3: Buffer;
  let app: INestApplication;
  let port: number;
  let links: RecordingLinks;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cc360-rec-'));
    dir = join(root, 'recordings');
    mkdirSync(join(dir, '2026', '11', '28'), { recursive: true });
    mp3 = randomBytes(100_000);
    writeFileSync(join(dir, '2026', '11', '28', 'call-1.mp3'), mp3);
    writeFileSync(join(dir, 'short.wav'), Buffer.from('RIFF....WAVE'));
    writeFileSync(join(root, 'secret.txt'), SECRET);
    writeFileSync(join(root, 'secret.mp3'), SECRET);
    symlinkSync(join(root, 'secret.mp3'), join(dir, 'link-out.mp3'));
    symlinkSync(root, join(dir, 'dir-out'));
    links = new RecordingLinks({ publicBaseUrl: 'https://pbx.example.com', token: TOKEN, recordingsDir: dir });
    ({ app, port } = await serve(links));
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the file with its type, length, ETag and Last-Modified; HEAD has no body', async () => {
    const answer = await get(port, `/${TOKEN}/recording/2026/11/28/call-1.mp3`);
    expect(answer.status).toBe(200);
    expect(answer.body.equals(mp3)).toBe(true);
    expect(answer.headers['content-type']).toBe('audio/mpeg');
    expect(answer.headers['content-length']).toBe('100000');
    expect(answer.headers['accept-ranges']).toBe('bytes');
    expect(answer.headers.etag).toMatch(/^W\/"/);
    expect(answer.headers['last-modified']).toBeDefined();
    const head = await get(port, `/${TOKEN}/recording/2026/11/28/call-1.mp3`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe('100000');
    expect((await get(port, `/${TOKEN}/recording/short.wav`)).headers['content-type']).toBe('audio/wav');
  });

  it.each([
    ['bytes=0-99', 206, 0, 99],
    ['bytes=99900-', 206, 99_900, 99_999],
    ['bytes=-100', 206, 99_900, 99_999],
    ['bytes=50000-200000', 206, 50_000, 99_999],
  ])('answers Range %s with 206 and exactly those bytes', async (range, status, start, end) => {
    const answer = await get(port, `/${TOKEN}/recording/2026/11/28/call-1.mp3`, { range });
    expect(answer.status).toBe(status);
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/100000`);
    expect(answer.body.equals(mp3.subarray(start, end + 1))).toBe(true);
  });

  it('answers an unsatisfiable range with 416, a matching ETag with 304', async () => {
    const range = await get(port, `/${TOKEN}/recording/2026/11/28/call-1.mp3`, { range: 'bytes=200000-' });
    expect(range.status).toBe(416);
    expect(range.headers['content-range']).toBe('bytes */100000');
    const first = await get(port, `/${TOKEN}/recording/2026/11/28/call-1.mp3`);
    const cached = await get(port, `/${TOKEN}/recording/2026/11/28/call-1.mp3`, { 'if-none-match': String(first.headers.etag) });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
  });

  it('refuses a wrong or missing token (401) and other methods (405), 404 for a missing file', async () => {
    for (const path of ['/wrong/recording/short.wav', `/${TOKEN}x/recording/short.wav`, `/${TOKEN.slice(0, -1)}/recording/short.wav`]) {
      const answer = await get(port, path);
      expect(answer.status).toBe(401);
      expect(answer.body.toString()).not.toContain(TOKEN);
    }
    // No token segment at all matches no route.
    expect((await get(port, '//recording/short.wav')).status).toBe(404);
    expect((await get(port, `/${TOKEN}/recording/short.wav`, {}, 'DELETE')).status).toBe(405);
    expect((await get(port, `/${TOKEN}/recording/missing.mp3`)).status).toBe(404);
  });

  const ATTACKS = [
    '../secret.txt', '..%2fsecret.txt', '..%2Fsecret.txt', '%2e%2e/secret.txt', '%2E%2E/secret.txt', '%2e%2e%2fsecret.txt',
    '.%2e/secret.txt', '%2e./secret.txt', '%252e%252e/secret.txt', '%252e%252e%252fsecret.txt', '..%5csecret.txt', '..\\secret.txt',
    '%5c..%5csecret.txt', '2026/../../secret.txt', '2026/11/../../../secret.txt', '....//secret.txt', '..;/secret.txt',
    '%2fetc%2fpasswd', '%2F..%2Fsecret.txt', '/etc/passwd', '//etc/passwd', 'secret.txt%00.mp3', 'short.wav%00', '%00',
    '%c0%ae%c0%ae/secret.txt', '%uff0e%uff0e/secret.txt', '．．/secret.txt', 'link-out.mp3', 'dir-out/secret.txt', 'dir-out/secret.mp3',
    '.', '..', '.%2e', '2026/./11/28/call-1.mp3', `${'a/'.repeat(600)}x.mp3`, '%', '%zz', '%e0%80%af', 'short.wav/', ' ../secret.txt',
  ];

  it.each(ATTACKS)('never serves anything outside RECORDINGS_DIR for %s', async (attack) => {
    const answer = await get(port, `/${TOKEN}/recording/${attack}`).catch(() => ({ status: 400, headers: {}, body: Buffer.alloc(0) }) as Answer);
    expect([200, 206]).not.toContain(answer.status);
    expect(answer.body.toString('latin1')).not.toContain(SECRET);
  });

  it('signed links: valid works; tampered, expired or another file\'s signature are refused (403)', async () => {
    const signedLinks = new RecordingLinks({ publicBaseUrl: 'https://pbx.example.com', token: TOKEN, recordingsDir: dir, linkTtlMs: 60_000 });
    const signed = await serve(signedLinks);
    try {
      const pathOf = (url: string) => url.replace('https://pbx.example.com', '');
      const good = pathOf(signedLinks.urlFor(join(dir, 'short.wav')) as string);
      expect((await get(signed.port, good)).status).toBe(200);
      expect((await get(signed.port, good.replace(/signature=(.)/, (_m, c: string) => `signature=${c === 'a' ? 'b' : 'a'}`))).status).toBe(403);
      expect((await get(signed.port, good.split('?')[0])).status).toBe(403);
      const expired = pathOf(signedLinks.urlFor(join(dir, 'short.wav'), Date.now() - 120_000) as string);
      expect((await get(signed.port, expired)).status).toBe(403);
      const other = pathOf(signedLinks.urlFor(join(dir, '2026', '11', '28', 'call-1.mp3')) as string);
      const swapped = `/${TOKEN}/recording/short.wav?${other.split('?')[1]}`;
      expect((await get(signed.port, swapped)).status).toBe(403);
    } finally {
      await signed.app.close();
    }
  });
});
