// RecordingsModule over real HTTP: bytes, ranges, caching headers, tokens, signed links, client aborts,
// and a traversal suite sent as raw bytes on a socket that must never get a byte from outside the directory.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadBudget } from './download-budget';
import { RecordingServer } from './recording.controller';
import { RecordingLinks } from './recording-links';
import { RecordingsModule } from './recordings.module';

const TOKEN = 'rec-token-7f3a9c';
const BASE = 'https://pbx.example.com';
const SECRET = 'TOP-SECRET-outside-RECORDINGS_DIR-5d1e';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Node's client sends the path as given (fetch would resolve "..", hiding the attack). */
function send(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
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

/** The request line written byte for byte, for targets Node's client refuses to send (NUL, spaces, UTF-8). */
function sendRaw(port: number, target: Buffer): Promise<{ status: number; raw: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0), raw });
    });
    // write, not end: a half-closed socket may be dropped by the server before an async answer is ready.
    socket.write(Buffer.concat([Buffer.from('GET '), target, Buffer.from(' HTTP/1.1\r\nHost: pbx\r\nConnection: close\r\n\r\n')]));
  });
}

async function serve(links: RecordingLinks, budget?: DownloadBudget): Promise<{ app: INestApplication; port: number; server: RecordingServer }> {
  const moduleRef = await Test.createTestingModule({ imports: [RecordingsModule.forRoot({ links, token: TOKEN, budget })] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, port, server: app.get(RecordingServer) };
}

describe('RecordingsModule', () => {
  let root: string;
  let dir: string;
  let mp3: Buffer;
  let nested: string;
  let app: INestApplication;
  let port: number;
  let server: RecordingServer;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cc360-recsrv-'));
    dir = join(root, 'recordings');
    const uuid = randomUUID();
    nested = `2026/11/28/${uuid}.mp3`;
    mkdirSync(join(dir, '2026', '11', '28'), { recursive: true });
    mp3 = randomBytes(100_000);
    writeFileSync(join(dir, nested), mp3);
    writeFileSync(join(dir, 'short.wav'), Buffer.from('RIFF....WAVEfmt '));
    writeFileSync(join(dir, 'big.opus'), Buffer.alloc(24 * 1024 * 1024, 7));
    writeFileSync(join(root, 'secret.txt'), SECRET);
    writeFileSync(join(root, 'secret.mp3'), SECRET);
    mkdirSync(join(root, 'recordings-evil'));
    writeFileSync(join(root, 'recordings-evil', 'secret.mp3'), SECRET);
    symlinkSync(join(root, 'secret.mp3'), join(dir, 'link-out.mp3'));
    symlinkSync(root, join(dir, 'dir-out'));
    symlinkSync(join(root, 'recordings-evil', 'secret.mp3'), join(dir, 'sibling.mp3'));
    ({ app, port, server } = await serve(new RecordingLinks({ publicBaseUrl: BASE, token: TOKEN, recordingsDir: dir })));
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  const url = (rel: string) => `/${TOKEN}/recording/${rel}`;

  it('serves a nested file whole, with type, length, ETag and Last-Modified; HEAD has the headers and no body', async () => {
    const answer = await send(port, url(nested));
    expect(answer.status).toBe(200);
    expect(answer.body.equals(mp3)).toBe(true);
    expect(answer.headers).toMatchObject({ 'content-type': 'audio/mpeg', 'content-length': '100000', 'accept-ranges': 'bytes' });
    expect(answer.headers.etag).toMatch(/^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Number.isNaN(Date.parse(String(answer.headers['last-modified'])))).toBe(false);
    const head = await send(port, url(nested), {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers).toMatchObject({ 'content-length': '100000', etag: answer.headers.etag, 'content-type': 'audio/mpeg' });
    const wav = await send(port, url('short.wav'));
    expect(wav.headers['content-type']).toBe('audio/wav');
    expect(wav.body.toString()).toBe('RIFF....WAVEfmt ');
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=99900-', 99_900, 99_999],
    ['bytes=-100', 99_900, 99_999],
    ['bytes=50000-200000', 50_000, 99_999],
    ['bytes=7-7', 7, 7],
  ])('answers Range %s with 206 and exactly those bytes', async (range, start, end) => {
    const answer = await send(port, url(nested), { range });
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/100000`);
    expect(answer.headers['content-length']).toBe(String(end - start + 1));
    expect(answer.body.equals(mp3.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 to an unsatisfiable range, the whole file to several ranges or a stale If-Range', async () => {
    for (const range of ['bytes=100000-', 'bytes=-0']) {
      const answer = await send(port, url(nested), { range });
      expect(answer.status).toBe(416);
      expect(answer.headers['content-range']).toBe('bytes */100000');
    }
    const multi = await send(port, url(nested), { range: 'bytes=0-1,5-6' });
    expect(multi.status).toBe(200);
    expect(multi.body.equals(mp3)).toBe(true);
    const stale = await send(port, url(nested), { range: 'bytes=0-1', 'if-range': 'W/"old"' });
    expect(stale.status).toBe(200);
    expect(stale.body.length).toBe(100_000);
  });

  it('answers 304 to a matching If-None-Match, 200 to another ETag', async () => {
    const { headers } = await send(port, url(nested), {}, 'HEAD');
    const cached = await send(port, url(nested), { 'if-none-match': String(headers.etag) });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);
    expect((await send(port, url(nested), { 'if-none-match': 'W/"other"' })).status).toBe(200);
  });

  it('refuses a wrong token with 401 without echoing it; 405 for other methods; 404 for a missing file', async () => {
    for (const path of ['/wrong/recording/short.wav', `/${TOKEN}x/recording/short.wav`, `/${TOKEN.slice(0, -1)}/recording/short.wav`, `/${TOKEN}%00/recording/short.wav`]) {
      const answer = await send(port, path);
      expect(answer.status).toBe(401);
      expect(answer.body.toString()).not.toContain(TOKEN.slice(0, 8));
      expect(JSON.parse(answer.body.toString())).toEqual({ success: false, error: 'Invalid token' });
    }
    expect((await send(port, '//recording/short.wav')).status).toBe(404);
    // Express refuses to decode a broken token segment before we see it.
    expect((await send(port, '/%zz/recording/short.wav')).status).toBe(400);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const answer = await send(port, url('short.wav'), {}, method);
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
    }
    expect((await send(port, url('missing.mp3'))).status).toBe(404);
    expect((await send(port, url('2026/11'))).status).toBe(404);
  });

  it('stops reading when the client goes away mid-download, and keeps serving', async () => {
    const before = server.stats().aborted ?? 0;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: url('big.opus') }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
      req.end();
    });
    for (let i = 0; i < 200 && (server.stats().aborted ?? 0) === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.stats().aborted).toBe(before + 1);
    expect((await send(port, url('short.wav'))).status).toBe(200);
  });

  it('counts downloads by result', () => {
    const stats = server.stats();
    expect(stats.full).toBeGreaterThan(0);
    expect(stats.partial).toBe(5);
    expect(stats['not-modified']).toBe(1);
    expect(stats.unauthorized).toBe(4);
    expect(stats.method).toBe(3);
  });

  const ATTACKS = [
    '../secret.txt', '..%2fsecret.txt', '..%2Fsecret.txt', '%2e%2e/secret.txt', '%2E%2E/secret.txt', '%2E%2e/secret.txt',
    '%2e%2e%2fsecret.txt', '.%2e/secret.txt', '%2e./secret.txt', '%252e%252e/secret.txt', '%252e%252e%252fsecret.txt',
    '..%5csecret.txt', '..\\secret.txt', '%5c..%5csecret.txt', '2026/../../secret.txt', '2026/11/../../../secret.txt',
    '....//secret.txt', '..;/secret.txt', '%2fetc%2fpasswd', '%2F..%2Fsecret.txt', '/etc/passwd', '//etc/passwd',
    '/../secret.txt', 'secret.txt%00.mp3', 'short.wav%00', '%00', '..%00/secret.txt', '%c0%ae%c0%ae/secret.txt',
    '%c0%2e%c0%2e/secret.txt', '%e0%80%ae%e0%80%ae/secret.txt', '%uff0e%uff0e/secret.txt', '%ef%bc%8e%ef%bc%8e/secret.txt',
    '．．/secret.txt', 'link-out.mp3', 'dir-out/secret.txt', 'dir-out/secret.mp3', 'dir-out/recordings-evil/secret.mp3',
    'sibling.mp3', '.', '..', '.%2e', '%2e', `${'a/'.repeat(600)}x.mp3`, `${'..%2f'.repeat(500)}etc%2fpasswd`, '%', '%zz',
    '%e0%80%af', 'short.wav/', ' ../secret.txt', '..%09/secret.txt', '..\t/secret.txt', '%2e%2e%5c%2e%2e%5csecret.txt',
    'dir-out%2fsecret.txt', '%25%32%65%25%32%65/secret.txt', 'dir-out/../../secret.txt',
  ];

  // Names that are harmless on their own (inside, or symlinks judged on the real path) are just missing.
  const MISSING = new Set(['..;/secret.txt', 'link-out.mp3', 'dir-out/secret.txt', 'dir-out/secret.mp3', 'dir-out/recordings-evil/secret.mp3', 'sibling.mp3']);

  it.each(ATTACKS)('never serves anything from outside RECORDINGS_DIR for %j', async (attack) => {
    const answer = await sendRaw(port, Buffer.from(url(attack), 'utf8'));
    expect(answer.status, answer.raw).toBe(MISSING.has(attack) ? 404 : 400);
    expect(answer.raw).not.toContain(SECRET);
  });

  it('refuses the same attacks when the token is right but the whole target is absolute-form', async () => {
    const answer = await sendRaw(port, Buffer.from(`http://pbx${url('../secret.txt')}`));
    expect([200, 206]).not.toContain(answer.status);
    expect(answer.raw).not.toContain(SECRET);
  });

  describe('with a download budget', () => {
    it('refuses a download beyond RECORDING_MAX_DOWNLOADS with 503 and Retry-After, HEAD still answers, the slot comes back', async () => {
      const budget = new DownloadBudget({ maxDownloads: 1, bytesPerSecond: 1_000_000 });
      const limited = await serve(new RecordingLinks({ publicBaseUrl: BASE, token: TOKEN, recordingsDir: dir }), budget);
      try {
        // A client that reads one chunk and then stops reading keeps its download (and its slot) open.
        const first = await new Promise<{ stop: () => void }>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port: limited.port, path: url('big.opus') }, (res) => {
            expect(res.statusCode).toBe(200);
            res.once('data', () => {
              res.pause();
              resolve({ stop: () => req.destroy() });
            });
          });
          req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
          req.end();
        });
        expect(budget.streaming).toBe(1);
        const refused = await send(limited.port, url('short.wav'));
        expect(refused.status).toBe(503);
        expect(refused.headers['retry-after']).toBe('2');
        expect(JSON.parse(refused.body.toString())).toEqual({ success: false, error: 'Too many recording downloads at once, retry shortly' });
        expect((await send(limited.port, url('short.wav'), {}, 'HEAD')).status).toBe(200);
        expect(limited.server.stats().busy).toBe(1);
        first.stop();
        for (let i = 0; i < 200 && budget.streaming > 0; i++) await new Promise((r) => setTimeout(r, 10));
        expect(budget.streaming).toBe(0);
        const again = await send(limited.port, url('short.wav'));
        expect(again.status).toBe(200);
        expect(again.body.toString()).toBe('RIFF....WAVEfmt ');
      } finally {
        await limited.app.close();
      }
    });

    it('serves the exact bytes through the pacing', async () => {
      const paced = await serve(new RecordingLinks({ publicBaseUrl: BASE, token: TOKEN, recordingsDir: dir }), new DownloadBudget({ maxDownloads: 4, bytesPerSecond: 50_000_000 }));
      try {
        const answers = await Promise.all([send(paced.port, url(nested)), send(paced.port, url(nested), { Range: 'bytes=1000-1999' })]);
        expect(answers.map((a) => a.status)).toEqual([200, 206]);
        expect(answers[0].body.equals(mp3)).toBe(true);
        expect(answers[1].body.equals(mp3.subarray(1000, 2000))).toBe(true);
      } finally {
        await paced.app.close();
      }
    });
  });

  describe('signed links', () => {
    let signed: { app: INestApplication; port: number };
    let links: RecordingLinks;
    const pathOf = (link: string | undefined) => (link ?? '').slice(BASE.length);

    beforeAll(async () => {
      links = new RecordingLinks({ publicBaseUrl: BASE, token: TOKEN, recordingsDir: dir, linkTtlMs: 60_000 });
      signed = await serve(links);
    });
    afterAll(() => signed.app.close());

    it('serves a valid link, including a nested file', async () => {
      expect((await send(signed.port, pathOf(links.urlFor(join(dir, 'short.wav'))))).status).toBe(200);
      const answer = await send(signed.port, pathOf(links.urlFor(join(dir, nested))));
      expect(answer.status).toBe(200);
      expect(answer.body.equals(mp3)).toBe(true);
    });

    it('refuses a tampered, missing, expired or borrowed signature with 403', async () => {
      const good = pathOf(links.urlFor(join(dir, 'short.wav')));
      const tampered = good.replace(/signature=(.)/, (_all, c: string) => `signature=${c === 'a' ? 'b' : 'a'}`);
      expect(tampered).not.toBe(good);
      expect((await send(signed.port, tampered)).status).toBe(403);
      expect((await send(signed.port, good.split('?')[0] ?? '')).status).toBe(403);
      const later = good.replace(/expires=(\d+)/, (_all, e: string) => `expires=${Number(e) + 3600}`);
      expect((await send(signed.port, later)).status).toBe(403);
      const expired = pathOf(links.urlFor(join(dir, 'short.wav'), Date.now() - 120_000));
      const expiredAnswer = await send(signed.port, expired);
      expect(expiredAnswer.status).toBe(403);
      expect(expiredAnswer.body.toString()).toContain('expired');
      const other = pathOf(links.urlFor(join(dir, nested)));
      expect((await send(signed.port, `${url('short.wav')}?${other.split('?')[1]}`)).status).toBe(403);
      // A signature does not reveal whether another file exists: 403 before the disk is asked.
      expect((await send(signed.port, `${url('missing.mp3')}?${other.split('?')[1]}`)).status).toBe(403);
    });

    it('refuses a signed link to a symlink leading outside (404), never a byte of it', async () => {
      const answer = await send(signed.port, pathOf(links.urlFor(join(dir, 'link-out.mp3'))));
      expect(answer.status).toBe(404);
      expect(answer.body.toString()).not.toContain(SECRET);
    });
  });
});
